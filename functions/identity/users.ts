// Administering a tenant's users: roles, deactivation and deletion under the owner rules, with the
// user pool kept in step. The table decides; the user pool is told after the change is recorded
// (or before, when being behind would let someone in), so a retry always finishes the job.
import type { CallerContext } from '../../libs/auth/caller.ts';
import { ownerRole, requireGrantable } from '../../libs/auth/grants.ts';
import { customRoleIds } from '../../libs/auth/roles.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import type { Actor } from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import { callerIsOwner, type IdentityDeps } from './context.ts';
import { ownerImpact, remainingOwner, requireOwnerCaller, type UserChange } from './owners.ts';
import type { UserGuards } from './store.ts';

interface Acting {
  deps: IdentityDeps;
  caller: CallerContext;
  actor: Actor;
}

/** Checks the owner rules for `change` and answers the guards its transaction must carry. */
async function ownerGuards(
  { deps, caller }: Acting,
  target: UserItem,
  change: UserChange,
): Promise<UserGuards> {
  const impact = ownerImpact(target, change);
  if (impact.needsOwnerCaller) requireOwnerCaller(impact, await callerIsOwner(deps, caller));
  if (!impact.removesActiveOwner) return {};
  return { remainingOwner: remainingOwner(target, await deps.store.activeOwners(target.tenantId)) };
}

export async function updateUser(
  acting: Acting,
  tenantId: string,
  userId: string,
  changes: { name?: string | undefined; roles?: string[] | undefined },
): Promise<UserItem> {
  const { deps, caller, actor } = acting;
  const target = await deps.store.requireUser(tenantId, userId);
  let guards: UserGuards = {};
  if (changes.roles !== undefined) {
    const custom = customRoleIds(changes.roles);
    const found = await deps.store.getRoles(tenantId, custom);
    const missing = custom.filter((id) => !found.some((r) => r.roleId === id));
    if (missing.length > 0) {
      throw problems.validation(
        missing.map((id) => ({
          path: 'body.roles',
          code: 'unknown_role',
          message: `role ${id} does not exist`,
        })),
      );
    }
    // The owner rules first, so taking or giving the owner role answers owner_required as before.
    const owner = await ownerGuards(acting, target, { kind: 'roles', roles: changes.roles });
    // Only roles newly given count: keeping a role the user already holds grants nothing.
    const added = changes.roles.filter((r) => !target.roles.includes(r));
    const isOwner = added.includes(ownerRole) && (await callerIsOwner(deps, caller));
    requireGrantable({ permissions: caller.permissions, isOwner }, { roles: added, customRoles: found });
    guards = { ...owner, customRoleIds: custom };
  }
  const updated = await deps.store.updateUser(target, changes, guards, actor);
  if (changes.name !== undefined && changes.name !== target.name)
    await deps.userPool.setName(userId, changes.name);
  return updated;
}

/** Deactivated users cannot sign in and every token they hold is refused from now on. */
export async function deactivateUser(acting: Acting, tenantId: string, userId: string): Promise<UserItem> {
  const { deps, actor } = acting;
  const target = await deps.store.requireUser(tenantId, userId);
  const updated =
    target.status === 'deactivated'
      ? target
      : await deps.store.changeStatus(
          target,
          'deactivated',
          await ownerGuards(acting, target, { kind: 'deactivate' }),
          actor,
        );
  // Also run when already deactivated: a retry finishes what an earlier failure left undone.
  await deps.userPool.disableUser(userId);
  await deps.userPool.signOutEverywhere(userId);
  return updated;
}

export async function reactivateUser(acting: Acting, tenantId: string, userId: string): Promise<UserItem> {
  const { deps, actor } = acting;
  const target = await deps.store.requireUser(tenantId, userId);
  const guards = await ownerGuards(acting, target, { kind: 'reactivate' });
  // Enabled in the pool first: while the table still says deactivated, sign-in is refused anyway.
  await deps.userPool.enableUser(userId);
  if (target.status === 'active') return target;
  return deps.store.changeStatus(target, 'active', guards, actor);
}

export async function deleteUser(acting: Acting, tenantId: string, userId: string): Promise<void> {
  const { deps, actor } = acting;
  const target = await deps.store.getUser(tenantId, userId);
  if (!target) {
    // A delete whose user pool step failed left the pool user behind; finish it if it is this tenant's.
    if ((await deps.userPool.tenantOf(userId)) !== tenantId) throw problems.notFound('The user');
    await deps.userPool.deleteUser(userId);
    return;
  }
  await deps.store.deleteUser(target, await ownerGuards(acting, target, { kind: 'delete' }), actor);
  await deps.userPool.deleteUser(userId);
}
