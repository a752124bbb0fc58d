// Accepting an invitation with its token: the user pool gets the person (verified email, permanent
// password), then one transaction makes them a user of the tenant and takes a seat under the plan's
// limit. If that transaction fails, the pool user is deleted again, so nothing is left half made.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import { Problem, problems } from '../../libs/http/problem.ts';
import { expiryActor } from './expiry.ts';
import { planLimitsOf } from './context.ts';
import type { InvitationItem } from './entities.ts';
import { alreadyMember, unusableInvitation } from './invitations.ts';
import { effectiveStatus } from './policy.ts';
import { InvitationChanged, type InvitationStore } from './store.ts';
import { hashInvitationToken, invitationTokenPattern } from './tokens.ts';
import type { UserPool } from '../../libs/auth/pool-users.ts';

export interface AcceptDeps {
  store: InvitationStore;
  userPool: UserPool;
  deployment: Pick<DeploymentConfig, 'plans'>;
  clock: () => Date;
}

export interface AcceptInput {
  token: string;
  name: string;
  password: string;
}

/** Expiry noticed on the way is recorded by the system, not by whoever held the token. */

function notFound(): Problem {
  return new Problem(404, 'invitation_not_found', 'No invitation matches this token.');
}

/** Refuses an invitation that cannot be accepted now, recording its expiry when first noticed. */
async function requireAcceptable(deps: AcceptDeps, invitation: InvitationItem, now: Date): Promise<void> {
  const status = effectiveStatus(invitation, now);
  if (status === 'pending') return;
  if (status === 'expired' && invitation.status === 'pending') {
    // Losing this race means someone else recorded the expiry (or revoked it): it is unusable either way.
    await deps.store.retire(invitation, now, expiryActor).catch((error: unknown) => {
      if (!(error instanceof Problem && error.code === 'concurrent_update')) throw error;
    });
  }
  throw unusableInvitation(status);
}

export async function acceptInvitation(
  deps: AcceptDeps,
  input: AcceptInput,
): Promise<{ user: UserItem; invitation: InvitationItem }> {
  const { store, userPool } = deps;
  if (!invitationTokenPattern.test(input.token)) throw notFound();
  const invitation = await store.findByTokenHash(hashInvitationToken(input.token));
  if (!invitation) throw notFound();
  const now = deps.clock();
  await requireAcceptable(deps, invitation, now);

  const { tenantId } = invitation;
  const tenant = await store.getTenant(tenantId);
  if (!tenant) throw notFound();
  if (tenant.status === 'suspended') {
    throw new Problem(
      403,
      'tenant_suspended',
      'The tenant is suspended; its invitations cannot be accepted.',
    );
  }
  const userLimit = planLimitsOf(deps.deployment, tenant).users;
  // Checked again in the transaction; this only spares the user pool a user that would be deleted.
  if (tenant.activeUsers >= userLimit) {
    throw problems.conflict('plan_limit_reached', `The tenant's plan allows ${userLimit} users.`, {
      limit: userLimit,
      resource: 'users',
    });
  }
  if (await store.memberByEmail(tenantId, invitation.email)) throw alreadyMember(invitation.email);

  const created = await userPool.createUser({
    email: invitation.email,
    name: input.name,
    tenantId,
    password: input.password,
  });
  const at = now.toISOString();
  const user: UserItem = {
    tenantId,
    userId: created.userId,
    email: invitation.email,
    emailVerified: true,
    name: input.name,
    roles: invitation.roles,
    status: 'active',
    mfaEnrolled: false,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await store.accept({ invitation, user, userLimit, now });
  } catch (error) {
    await userPool.deleteUser(created.username);
    if (error instanceof InvitationChanged) {
      const latest = await store.getInvitation(tenantId, invitation.invitationId);
      const status = latest ? effectiveStatus(latest, now) : 'revoked';
      // A resend replaced the token: the one given no longer matches anything.
      if (status === 'pending') throw notFound();
      throw unusableInvitation(status);
    }
    throw error;
  }
  return {
    user,
    invitation: { ...invitation, status: 'accepted', acceptedUserId: user.userId, acceptedAt: at },
  };
}
