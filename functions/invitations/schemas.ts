// Request and response schemas of the invitations context; the OpenAPI document is generated from them.
import * as z from 'zod';
import { maxBulkRows } from './policy.ts';

export const invitationId = z
  .string()
  .regex(/^inv_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an invitation id (inv_…)');

export const invitationStatus = z.enum(['pending', 'accepted', 'revoked', 'expired']);

const email = z.email().max(254);
const role = z
  .string()
  .min(1)
  .max(64)
  .describe('A built-in role (owner, admin, member, auditor, billing) or a custom role id (role_…).');
const roles = z.array(role).min(1).max(10);

export const invitation = z
  .strictObject({
    id: invitationId,
    email: z.string(),
    name: z.string().optional(),
    roles: z.array(z.string()),
    status: invitationStatus.describe('A pending invitation past expiresAt reads as expired.'),
    expiresAt: z.iso.datetime(),
    invitedBy: z.string().describe('`<actor type>:<actor id>` of who sent it.'),
    jobId: z.string().optional().describe('The bulk job that sent it.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    acceptedUserId: z.string().optional(),
    acceptedAt: z.iso.datetime().optional(),
    revokedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Invitation' });

export const invitationPage = z
  .strictObject({ items: z.array(invitation), nextCursor: z.string().optional() })
  .meta({ id: 'InvitationPage' });

const replacePending = z.boolean().default(false);

export const createInvitationBody = z
  .strictObject({
    email,
    roles,
    name: z.string().trim().min(1).max(200).optional(),
    replacePending: replacePending.describe(
      'Replace an invitation still pending for this email (it is revoked, its link stops working). Without it, such an email is a 409 already_invited.',
    ),
  })
  .meta({ id: 'CreateInvitationRequest' });

export const bulkInvitationBody = z
  .strictObject({
    invitations: z
      .array(
        z.strictObject({
          email: z
            .string()
            .max(320)
            .describe('Checked per row: a malformed email is a row result, not a 400.'),
          roles: roles.optional(),
        }),
      )
      .min(1)
      .max(maxBulkRows),
    roles: roles.default(['member']).describe('Roles of the rows that name none.'),
    replacePending: replacePending.describe(
      "Replace the invitations still pending for the rows' emails (they are revoked, their links stop working). Without it, such a row's result is already_invited and its invitation is left as it was.",
    ),
  })
  .meta({ id: 'BulkInvitationRequest' });

export const listInvitationsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
  status: invitationStatus.optional(),
});

export const invitationPathParams = z.strictObject({ invitationId });

export const emptyBody = z.strictObject({}).optional();

export const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256)
  .regex(/[a-z]/, 'must contain a lowercase letter')
  .regex(/[A-Z]/, 'must contain an uppercase letter')
  .regex(/[0-9]/, 'must contain a digit')
  .regex(/[^A-Za-z0-9]/, 'must contain a symbol');

export const acceptInvitationBody = z
  .strictObject({
    token: z.string().min(1).max(200).describe('The token from the invitation email (pit_…).'),
    name: z.string().trim().min(1).max(200),
    password,
  })
  .meta({ id: 'AcceptInvitationRequest' });

export const acceptedInvitation = z
  .strictObject({
    tenantId: z.string(),
    invitationId,
    user: z.strictObject({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      roles: z.array(z.string()),
    }),
  })
  .meta({ id: 'AcceptedInvitation', description: 'The new user; sign in with the email and password.' });

export const emailChangeBody = z.strictObject({ email }).meta({ id: 'EmailChangeRequest' });

export const emailChangePending = z
  .strictObject({
    email: z.string().describe('The new address, where the code was sent.'),
    expiresAt: z.iso.datetime().describe('When the code stops working.'),
  })
  .meta({ id: 'EmailChangePending' });

export const verifyEmailBody = z
  .strictObject({ code: z.string().regex(/^[0-9]{6}$/, 'must be the six-digit code') })
  .meta({ id: 'VerifyEmailRequest' });

export const emailChanged = z
  .strictObject({ userId: z.string(), email: z.string(), emailVerified: z.literal(true) })
  .meta({ id: 'EmailChanged' });
