// What the invitations routes and job runner are given, and the reads every invitation flow shares:
// who is inviting, into which tenant, with which roles, and for how long.
import type { CallerContext } from '../../libs/auth/caller.ts';
import { ownerRole, requireGrantable, requireGrantableRoles, type Grantor } from '../../libs/auth/grants.ts';
import { isBuiltInRole } from '../../libs/auth/roles.ts';
import type { DeploymentConfig, PlanLimits } from '../../libs/config/deployment.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { TenantItem } from '../../libs/data/entities.ts';
import type { RoleItem, UserItem } from '../../libs/data/identity-entities.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import { problems } from '../../libs/http/problem.ts';
import type { EmailChangeStore } from './email-change-store.ts';
import { invitationExpiryDays } from './policy.ts';
import type { InvitationStore } from './store.ts';
import type { UserPool } from '../../libs/auth/pool-users.ts';

export interface InvitationsDeps {
  store: InvitationStore;
  emailChanges: EmailChangeStore;
  userPool: UserPool;
  deployment: DeploymentConfig;
  consoleUrl: string;
  /** Seals the mails that carry tokens and codes: the mail key. */
  mailBox: Pick<SecretBox, 'seal'>;
  cursors: CursorCodec;
  clock: () => Date;
}

/** The tenant an invitation is sent from, the person sending it, and how long it stays valid. */
export interface InvitingContext {
  tenant: TenantItem;
  /** The inviting user; undefined when an API key invites. */
  inviter: UserItem | undefined;
  /** What the caller holds, against which every role an invitation carries is checked. */
  grantor: Grantor;
  expiryDays: number;
}

export async function invitingContext(
  deps: Pick<InvitationsDeps, 'store' | 'deployment'>,
  tenantId: string,
  caller: CallerContext,
): Promise<InvitingContext> {
  const { store } = deps;
  const inviterId =
    caller.kind === 'tenant' && caller.principalType === 'user' ? caller.principalId : undefined;
  const [tenant, settings, inviter] = await Promise.all([
    store.getTenant(tenantId),
    store.getSettings(tenantId),
    inviterId ? store.getUser(tenantId, inviterId) : Promise.resolve(undefined),
  ]);
  if (!tenant) throw problems.notFound('The tenant');
  return {
    tenant,
    inviter,
    grantor: { permissions: caller.permissions, isOwner: inviter?.roles.includes(ownerRole) === true },
    expiryDays: invitationExpiryDays(settings, deps.deployment),
  };
}

async function customRolesAmong(
  store: InvitationStore,
  tenantId: string,
  roles: readonly string[],
): Promise<RoleItem[]> {
  return store.customRoles(tenantId, [...new Set(roles.filter((r) => !isBuiltInRole(r)))]);
}

/**
 * Roles must exist (built-in names, or custom role ids of this tenant) and be grantable by the
 * caller: only an owner grants the owner role, and nobody a role carrying a permission they lack.
 * `paths` names each role's field for the errors.
 */
export async function checkGrantableRoles(
  store: InvitationStore,
  context: Pick<InvitingContext, 'tenant' | 'grantor'>,
  roles: ReadonlyArray<{ role: string; path: string }>,
): Promise<void> {
  const customRoles = await customRolesAmong(
    store,
    context.tenant.tenantId,
    roles.map((r) => r.role),
  );
  requireGrantableRoles(context.grantor, roles, customRoles);
}

/**
 * Whoever resends an invitation grants its roles anew, so they must be able to grant them; a custom
 * role deleted since grants nothing on acceptance and so needs nothing held.
 */
export async function checkRegrantableRoles(
  store: InvitationStore,
  context: Pick<InvitingContext, 'tenant' | 'grantor'>,
  roles: readonly string[],
): Promise<void> {
  const customRoles = await customRolesAmong(store, context.tenant.tenantId, roles);
  requireGrantable(context.grantor, { roles, customRoles });
}

/** A tenant's plan limits; a tenant on a plan the deployment no longer has is a configuration bug. */
export function planLimitsOf(deployment: Pick<DeploymentConfig, 'plans'>, tenant: TenantItem): PlanLimits {
  const plan = deployment.plans[tenant.plan];
  if (!plan) throw new Error(`tenant ${tenant.tenantId} has plan "${tenant.plan}", which is not configured`);
  return plan.limits;
}
