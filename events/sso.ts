// The SSO context's events: domains claimed, verified and removed.
import * as z from 'zod';
import type { EventDefinition } from './definition.ts';

export const ssoEvents = {
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
