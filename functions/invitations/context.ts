// What the invitations routes and job runner are given, and the reads every invitation flow shares:
// who is inviting, into which tenant, with which roles, and for how long.
import type { CallerContext } from '../../libs/auth/caller.ts';
import { isBuiltInRole } from '../../libs/auth/roles.ts';
import type { DeploymentConfig, PlanLimits } from '../../libs/config/deployment.ts';
import type { TenantItem } from '../../libs/data/entities.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import { Problem, problems, type FieldError } from '../../libs/http/problem.ts';
import type { EmailChangeStore } from './email-change-store.ts';
import { invitationExpiryDays } from './policy.ts';
import type { InvitationStore } from './store.ts';
import type { UserPool } from './user-pool.ts';

export interface InvitationsDeps {
  store: InvitationStore;
  emailChanges: EmailChangeStore;
  userPool: UserPool;
  deployment: DeploymentConfig;
  consoleUrl: string;
  cursors: CursorCodec;
  clock: () => Date;
}

/** The tenant an invitation is sent from, the person sending it, and how long it stays valid. */
export interface InvitingContext {
  tenant: TenantItem;
  /** The inviting user; undefined when an API key invites. */
  inviter: UserItem | undefined;
  expiryDays: number;
}

export async function invitingContext(
  deps: Pick<InvitationsDeps, 'store' | 'deployment'>,
  tenantId: string,
  caller: CallerContext | undefined,
): Promise<InvitingContext> {
  const { store } = deps;
  const inviterId =
    caller?.kind === 'tenant' && caller.principalType === 'user' ? caller.principalId : undefined;
  const [tenant, settings, inviter] = await Promise.all([
    store.getTenant(tenantId),
    store.getSettings(tenantId),
    inviterId ? store.getUser(tenantId, inviterId) : Promise.resolve(undefined),
  ]);
  if (!tenant) throw problems.notFound('The tenant');
  return { tenant, inviter, expiryDays: invitationExpiryDays(settings, deps.deployment) };
}

/**
 * Roles must exist: built-in names, or custom role ids of this tenant. Only an owner may grant the
 * owner role, so an API key never can. `paths` names each role's field for the errors.
 */
export async function checkGrantableRoles(
  store: InvitationStore,
  tenantId: string,
  inviter: UserItem | undefined,
  roles: ReadonlyArray<{ role: string; path: string }>,
): Promise<void> {
  const custom = [...new Set(roles.map((r) => r.role).filter((r) => !isBuiltInRole(r)))];
  const existing = await store.existingCustomRoles(tenantId, custom);
  const errors: FieldError[] = roles
    .filter(({ role }) => !isBuiltInRole(role) && !existing.has(role))
    .map(({ role, path }) => ({
      path,
      code: 'unknown_role',
      message: `"${role}" is not a role of this tenant`,
    }));
  if (errors.length > 0) throw problems.validation(errors);
  if (roles.some((r) => r.role === 'owner') && !inviter?.roles.includes('owner')) {
    throw new Problem(403, 'owner_role_required', 'Only an owner may invite someone as an owner.');
  }
}

/** A tenant's plan limits; a tenant on a plan the deployment no longer has is a configuration bug. */
export function planLimitsOf(deployment: Pick<DeploymentConfig, 'plans'>, tenant: TenantItem): PlanLimits {
  const plan = deployment.plans[tenant.plan];
  if (!plan) throw new Error(`tenant ${tenant.tenantId} has plan "${tenant.plan}", which is not configured`);
  return plan.limits;
}
