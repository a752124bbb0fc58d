// Turns stored invitations into the API's resources: the token hash never leaves here, and the
// status is the one as read (a pending invitation past its expiry is expired).
import type { InvitationItem } from './entities.ts';
import { effectiveStatus } from './policy.ts';

export function invitationResource(i: InvitationItem, now: Date) {
  return {
    id: i.invitationId,
    email: i.email,
    ...(i.name !== undefined ? { name: i.name } : {}),
    roles: i.roles,
    status: effectiveStatus(i, now),
    expiresAt: i.expiresAt,
    invitedBy: i.invitedBy,
    ...(i.jobId !== undefined ? { jobId: i.jobId } : {}),
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    ...(i.acceptedUserId !== undefined ? { acceptedUserId: i.acceptedUserId } : {}),
    ...(i.acceptedAt !== undefined ? { acceptedAt: i.acceptedAt } : {}),
    ...(i.revokedAt !== undefined ? { revokedAt: i.revokedAt } : {}),
  };
}
