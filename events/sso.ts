// The SSO context's events: connections changing, users provisioned by a first SSO sign-in, and
// domains claimed, verified and removed.
import * as z from 'zod';
import type { EventDefinition } from './definition.ts';

const snapshotBase = {
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  allowIdpInitiated: z.boolean(),
};

/** What a connection points at, by type; never a client secret or key material. */
const connectionSnapshot = z.discriminatedUnion('type', [
  z.strictObject({
    ...snapshotBase,
    type: z.literal('saml'),
    idpEntityId: z.string(),
    certificateFingerprints: z.array(z.string()),
  }),
  z.strictObject({
    ...snapshotBase,
    type: z.literal('oidc'),
    issuer: z.string(),
    clientId: z.string(),
    scopes: z.array(z.string()),
  }),
]);

export const ssoEvents = {
  'sso.connection.created': {
    version: 1,
    description: 'A tenant added an SSO connection to its identity provider.',
    schema: z.strictObject({ connection: connectionSnapshot }),
  },
  'sso.connection.updated': {
    version: 1,
    description: "An SSO connection's name, switches, attribute mapping or IdP settings changed.",
    schema: z.strictObject({
      connection: connectionSnapshot,
      changes: z.record(z.string(), z.strictObject({ from: z.unknown(), to: z.unknown() })),
    }),
  },
  'sso.connection.deleted': {
    version: 1,
    description: 'An SSO connection was deleted; nobody signs in through it any more.',
    schema: z.strictObject({ connectionId: z.string() }),
  },
  'user.provisioned': {
    version: 1,
    description:
      "A person's first sign-in through an SSO connection made them a user of the tenant, with the roles the connection maps their groups to.",
    schema: z.strictObject({
      user: z.strictObject({
        id: z.string(),
        email: z.string(),
        name: z.string(),
        roles: z.array(z.string()),
        status: z.enum(['active', 'deactivated']),
      }),
      connectionId: z.string(),
    }),
  },
  'domain.created': {
    version: 1,
    description: 'A tenant claimed a domain; it is pending until its DNS TXT record is checked.',
    schema: z.strictObject({ domain: z.string(), status: z.literal('pending') }),
  },
  'domain.verified': {
    version: 1,
    description:
      "A tenant proved a domain with its DNS TXT record; the domain is the tenant's alone from now on.",
    schema: z.strictObject({ domain: z.string() }),
  },
  'domain.deleted': {
    version: 1,
    description: 'A tenant removed a domain claim; a verified domain is free for others again.',
    schema: z.strictObject({ domain: z.string(), wasVerified: z.boolean() }),
  },
} as const satisfies Record<string, EventDefinition>;
