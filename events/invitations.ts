// The invitations context's events: invitations created, resent, accepted, revoked or expired, and a
// user's verified email change. Invitation tokens and verification codes never appear here.
import * as z from 'zod';
import type { EventDefinition } from './definition.ts';

const invitationSnapshot = z.strictObject({
  id: z.string(),
  email: z.string(),
  roles: z.array(z.string()),
  expiresAt: z.iso.datetime(),
  invitedBy: z.string(),
});

export const invitationEvents = {
  'invitation.created': {
    version: 1,
    description:
      'Someone was invited to join the tenant; the invitation was mailed to them. A pending invitation for the same email is replaced.',
    schema: z.strictObject({
      invitation: invitationSnapshot,
      replacedInvitationId: z.string().optional(),
      jobId: z.string().optional(),
    }),
  },
  'invitation.resent': {
    version: 1,
    description: 'An invitation was mailed again with a new link; the previous link no longer works.',
    schema: z.strictObject({ invitationId: z.string(), email: z.string(), expiresAt: z.iso.datetime() }),
  },
  'invitation.accepted': {
    version: 1,
    description: 'An invitation was accepted: the invited person is now a user of the tenant.',
    schema: z.strictObject({
      invitationId: z.string(),
      email: z.string(),
      userId: z.string(),
      roles: z.array(z.string()),
    }),
  },
  'invitation.revoked': {
    version: 1,
    description: 'A pending invitation was revoked, or replaced by a newer invitation for the same email.',
    schema: z.strictObject({
      invitationId: z.string(),
      email: z.string(),
      reason: z.enum(['revoked', 'replaced']),
    }),
  },
  'invitation.expired': {
    version: 1,
    description: 'A pending invitation passed its expiry without being accepted; its link no longer works.',
    schema: z.strictObject({ invitationId: z.string(), email: z.string(), expiresAt: z.iso.datetime() }),
  },
  'user.email_changed': {
    version: 1,
    description: 'A user changed their email address and proved they own the new one with a code.',
    schema: z.strictObject({ userId: z.string(), from: z.string(), to: z.string() }),
  },
} as const satisfies Record<string, EventDefinition>;
