// Inviting one person, resending and revoking: the decisions around the store's transactions
// (who may grant which role, members are not invited twice, one pending invitation per email,
// replaced only when the request says so).
import { actorOf, tenantIdOf, type CallerContext } from '../../libs/auth/caller.ts';
import { problems, type Problem } from '../../libs/http/problem.ts';
import {
  checkGrantableRoles,
  checkRegrantableRoles,
  invitingContext,
  type InvitationsDeps,
} from './context.ts';
import type { InvitationItem, InvitationStatus } from './entities.ts';
import { againstPending, normalizeEmail } from './policy.ts';
import { newInvitationWrites, resendWrites } from './writes.ts';

export function alreadyMember(email: string): Problem {
  return problems.conflict('already_member', `${email} is already a user of this tenant.`, { email });
}

function alreadyInvited(pending: InvitationItem): Problem {
  return problems.conflict(
    'already_invited',
    `${pending.email} has a pending invitation; send replacePending: true to replace it.`,
    { email: pending.email, invitationId: pending.invitationId },
  );
}

/** Why an invitation that is not pending cannot be accepted, resent or revoked. */
export function unusableInvitation(status: Exclude<InvitationStatus, 'pending'>): Problem {
  switch (status) {
    case 'accepted':
      return problems.conflict('invitation_used', 'This invitation has already been accepted.');
    case 'revoked':
      return problems.conflict(
        'invitation_revoked',
        'This invitation was revoked or replaced by a newer one.',
      );
    case 'expired':
      return problems.conflict('invitation_expired', 'This invitation has expired; ask for a new one.');
  }
}

export async function requireInvitation(
  deps: Pick<InvitationsDeps, 'store'>,
  tenantId: string,
  invitationId: string,
): Promise<InvitationItem> {
  const invitation = await deps.store.getInvitation(tenantId, invitationId);
  if (!invitation) throw problems.notFound('The invitation');
  return invitation;
}

export async function invite(
  deps: InvitationsDeps,
  caller: CallerContext,
  input: {
    email: string;
    roles: string[];
    name?: string | undefined;
    replacePending?: boolean | undefined;
  },
): Promise<InvitationItem> {
  const { store, clock } = deps;
  const tenantId = tenantIdOf(caller);
  const email = normalizeEmail(input.email);
  const context = await invitingContext(deps, tenantId, caller);
  await checkGrantableRoles(
    store,
    context,
    input.roles.map((role, i) => ({ role, path: `body.roles.${i}` })),
  );
  const [member, sent] = await Promise.all([
    store.memberByEmail(tenantId, email),
    store.invitationsForEmail(tenantId, email),
  ]);
  if (member) throw alreadyMember(email);
  const now = clock();
  const outcome = againstPending(sent, now, input.replacePending === true);
  if (outcome.kind === 'already_invited') throw alreadyInvited(outcome.pending);
  const { replaced } = outcome;
  const actor = actorOf(caller);
  const writes = newInvitationWrites({
    tenantId,
    tenantName: context.tenant.name,
    email,
    name: input.name,
    roles: [...new Set(input.roles)],
    actor,
    inviterName: context.inviter?.name,
    replacedInvitationId: replaced?.invitationId,
    now,
    expiryDays: context.expiryDays,
    consoleUrl: deps.consoleUrl,
    mailBox: deps.mailBox,
  });
  await store.createInvitation(writes, replaced, actor);
  return writes.invitation;
}

/** A new link for a pending invitation (expired or not); the old link stops working. */
export async function resend(
  deps: InvitationsDeps,
  caller: CallerContext,
  invitationId: string,
): Promise<InvitationItem> {
  const tenantId = tenantIdOf(caller);
  const current = await requireInvitation(deps, tenantId, invitationId);
  if (current.status !== 'pending') throw unusableInvitation(current.status);
  const context = await invitingContext(deps, tenantId, caller);
  await checkRegrantableRoles(deps.store, context, current.roles);
  const writes = resendWrites({
    invitation: current,
    tenantName: context.tenant.name,
    inviterName: context.inviter?.name,
    actor: actorOf(caller),
    now: deps.clock(),
    expiryDays: context.expiryDays,
    consoleUrl: deps.consoleUrl,
    mailBox: deps.mailBox,
  });
  await deps.store.resend(current, writes);
  return writes.invitation;
}

/**
 * Makes sure an invitation can no longer be accepted: a pending one is revoked (or recorded as
 * expired if it already is); revoking a revoked or expired one changes nothing; an accepted one is
 * a 409, since revoking cannot undo it.
 */
export async function revoke(
  deps: InvitationsDeps,
  caller: CallerContext,
  invitationId: string,
): Promise<InvitationItem> {
  const current = await requireInvitation(deps, tenantIdOf(caller), invitationId);
  if (current.status === 'accepted') throw unusableInvitation('accepted');
  if (current.status !== 'pending') return current;
  return deps.store.retire(current, deps.clock(), actorOf(caller));
}
