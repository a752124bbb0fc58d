// The identity context's events: users, roles, sessions, sign-in and the tenant's identity settings.
// Data names people by id and email only; passwords, TOTP secrets and tokens never appear here.
import * as z from 'zod';
import type { EventDefinition } from './definition.ts';

const userSnapshot = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  status: z.enum(['active', 'deactivated']),
});

const roleSnapshot = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  permissions: z.array(z.string()),
});

const settingsSnapshot = z.strictObject({
  mfaPolicy: z.enum(['off', 'optional', 'required']),
  mfaGraceDays: z.number().int().min(0),
  mfaRequiredSince: z.string().optional(),
  invitationExpiryDays: z.number().int().optional(),
  ssoPolicy: z.enum(['optional', 'required']).optional(),
});

const changes = z.record(z.string(), z.strictObject({ from: z.unknown(), to: z.unknown() }));

export const identityEvents = {
  'user.created': {
    version: 1,
    description: 'A user joined the tenant, e.g. by accepting an invitation.',
    schema: z.strictObject({ user: userSnapshot, invitationId: z.string().optional() }),
  },
  'user.updated': {
    version: 1,
    description: "A user's name, email or roles changed.",
    schema: z.strictObject({ user: userSnapshot, changes }),
  },
  'user.deactivated': {
    version: 1,
    description: 'A user was deactivated: they cannot sign in and their tokens stop working.',
    schema: z.strictObject({ userId: z.string() }),
  },
  'user.reactivated': {
    version: 1,
    description: 'A deactivated user may sign in again.',
    schema: z.strictObject({ userId: z.string() }),
  },
  'user.deleted': {
    version: 1,
    description: 'A user was removed from the tenant and the user pool.',
    schema: z.strictObject({ userId: z.string(), email: z.string() }),
  },
  'role.created': {
    version: 1,
    description: 'A custom role was created.',
    schema: z.strictObject({ role: roleSnapshot }),
  },
  'role.updated': {
    version: 1,
    description: "A custom role's name, description or permissions changed.",
    schema: z.strictObject({ role: roleSnapshot, changes }),
  },
  'role.deleted': {
    version: 1,
    description: 'A custom role no user held was deleted.',
    schema: z.strictObject({ roleId: z.string() }),
  },
  'session.revoked': {
    version: 1,
    description:
      'Sessions of a user were revoked: one session, or all of them (sign out everywhere); their access tokens stop working at once.',
    schema: z.strictObject({
      userId: z.string(),
      scope: z.enum(['session', 'all']),
      sessionIds: z.array(z.string()),
    }),
  },
  'auth.signed_in': {
    version: 1,
    description: 'A user signed in with their password (and MFA when enrolled).',
    schema: z.strictObject({ userId: z.string(), clientId: z.string() }),
  },
  'auth.mfa_enrolled': {
    version: 1,
    description: 'A user enrolled an authenticator app (TOTP) as their second factor.',
    schema: z.strictObject({ userId: z.string(), method: z.literal('totp') }),
  },
  'identity_settings.updated': {
    version: 1,
    description: "The tenant's MFA policy, MFA grace period or invitation expiry changed.",
    schema: z.strictObject({ settings: settingsSnapshot, changes }),
  },
} as const satisfies Record<string, EventDefinition>;
