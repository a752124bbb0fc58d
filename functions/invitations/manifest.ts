// The invitations context: inviting people (one or in bulk), resending, revoking and accepting
// invitations, and a signed-in user's verified email change.
import { jobSchema } from '../../libs/jobs/job.ts';
import { defineContext, defineRoute } from '../../libs/manifest/types.ts';
import * as s from './schemas.ts';
import { keyEnvSchema } from '../../libs/config/keys.ts';
import { runtimeEnvSchema } from '../../libs/config/runtime.ts';
import { invitationsEnvSchema } from './env.ts';

const tags = ['Invitations'];

export const routes = {
  createInvitation: defineRoute({
    operationId: 'createInvitation',
    method: 'POST',
    path: '/v1/invitations',
    summary: 'Invite someone to the tenant by email',
    description:
      'An invitation still pending for the same email is a 409 already_invited unless replacePending is set; then it is revoked and this one replaces it.',
    tags,
    audience: 'tenant',
    permission: 'invitations:write',
    request: { body: s.createInvitationBody },
    responses: {
      201: { description: 'The invitation (its token goes only to the invited email)', schema: s.invitation },
    },
  }),
  bulkInvite: defineRoute({
    operationId: 'bulkInvite',
    method: 'POST',
    path: '/v1/invitations/bulk',
    summary: 'Invite up to 1,000 people as a job with a result per row',
    description:
      'Rows are checked as the job runs: each gets created, already_member, already_invited (a pending invitation exists and replacePending was not set), invalid_email or duplicate_in_batch. Follow the job at its Location.',
    tags,
    audience: 'tenant',
    permission: 'invitations:write',
    request: { body: s.bulkInvitationBody },
    responses: { 202: { description: 'The job', schema: jobSchema } },
  }),
  listInvitations: defineRoute({
    operationId: 'listInvitations',
    method: 'GET',
    path: '/v1/invitations',
    summary: "List the tenant's invitations, newest first, optionally by status",
    tags,
    audience: 'tenant',
    permission: 'invitations:read',
    request: { query: s.listInvitationsQuery },
    responses: { 200: { description: 'A page of invitations', schema: s.invitationPage } },
  }),
  getInvitation: defineRoute({
    operationId: 'getInvitation',
    method: 'GET',
    path: '/v1/invitations/{invitationId}',
    summary: 'Get an invitation',
    tags,
    audience: 'tenant',
    permission: 'invitations:read',
    request: { params: s.invitationPathParams },
    responses: { 200: { description: 'The invitation', schema: s.invitation } },
  }),
  resendInvitation: defineRoute({
    operationId: 'resendInvitation',
    method: 'POST',
    path: '/v1/invitations/{invitationId}/resend',
    summary: 'Mail a pending invitation again with a new link and expiry; the old link stops working',
    tags,
    audience: 'tenant',
    permission: 'invitations:write',
    request: { params: s.invitationPathParams, body: s.emptyBody },
    responses: { 200: { description: 'The invitation', schema: s.invitation } },
  }),
  revokeInvitation: defineRoute({
    operationId: 'revokeInvitation',
    method: 'POST',
    path: '/v1/invitations/{invitationId}/revoke',
    summary: 'Revoke an invitation so that it can no longer be accepted',
    tags,
    audience: 'tenant',
    permission: 'invitations:write',
    request: { params: s.invitationPathParams, body: s.emptyBody },
    responses: { 200: { description: 'The invitation', schema: s.invitation } },
  }),
  acceptInvitation: defineRoute({
    operationId: 'acceptInvitation',
    method: 'POST',
    path: '/v1/invitations/accept',
    summary: 'Accept an invitation with its token: become a user of the tenant with a password',
    description:
      'Refused with invitation_not_found, invitation_expired, invitation_revoked, invitation_used, or plan_limit_reached when the tenant has no seat left.',
    tags,
    audience: 'public',
    permission: 'public',
    request: { body: s.acceptInvitationBody },
    responses: { 201: { description: 'The new user', schema: s.acceptedInvitation } },
  }),
  requestEmailChange: defineRoute({
    operationId: 'requestEmailChange',
    method: 'POST',
    path: '/v1/me/email',
    summary: 'Change your email: a six-digit code is mailed to the new address',
    tags: ['Me'],
    audience: 'tenant',
    permission: 'self:write',
    request: { body: s.emailChangeBody },
    responses: { 202: { description: 'The code was sent', schema: s.emailChangePending } },
  }),
  verifyEmailChange: defineRoute({
    operationId: 'verifyEmailChange',
    method: 'POST',
    path: '/v1/me/email/verify',
    summary: 'Confirm the new email with its code; it becomes your verified sign-in email',
    description:
      'At most 10 codes per user per clock hour, across every code asked for; past that, 429 too_many_attempts with Retry-After until the hour ends, even for the right code.',
    tags: ['Me'],
    audience: 'tenant',
    permission: 'self:write',
    request: { body: s.verifyEmailBody },
    responses: { 200: { description: 'The changed email', schema: s.emailChanged } },
  }),
};

export const manifest = defineContext({
  name: 'invitations',
  description: 'Invitations (single, bulk, accept) and verified email changes',
  entry: 'functions/invitations/handler.ts',
  apiHandler: 'api',
  routes: Object.values(routes),
  // Expiry is otherwise recorded only when someone touches an expired invitation.
  schedules: [{ name: 'expire', expression: 'rate(1 hour)', consumer: 'expire' }],
  access: { table: 'readwrite', keys: ['cursor', 'idempotency', 'mail'], userPool: 'admin' },
  environment: runtimeEnvSchema.and(keyEnvSchema('cursor', 'idempotency', 'mail')).and(invitationsEnvSchema),
});
