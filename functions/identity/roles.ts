// Custom roles: built-in roles are listed beside them but never change; nobody writes into a role a
// permission they do not hold; a role someone holds cannot be deleted.
import type { CallerContext } from '../../libs/auth/caller.ts';
import { requireGrantable } from '../../libs/auth/grants.ts';
import { builtInRoles, isBuiltInRole } from '../../libs/auth/roles.ts';
import type { RoleItem } from '../../libs/data/identity-entities.ts';
import type { Actor } from '../../libs/data/outbox.ts';
import { Problem, problems } from '../../libs/http/problem.ts';
import type { IdentityDeps } from './context.ts';
import { builtInRoleResource, roleResource } from './present.ts';
import type { RoleInput } from './role-store.ts';

function builtInReadOnly(roleId: string): Problem {
  return new Problem(409, 'built_in_role', `The built-in role ${roleId} cannot be changed or deleted.`);
}

export async function getRole(deps: IdentityDeps, tenantId: string, roleId: string) {
  if (isBuiltInRole(roleId)) return builtInRoleResource(builtInRoles[roleId]);
  return roleResource(await deps.store.requireRole(tenantId, roleId));
}

export async function createRole(
  deps: IdentityDeps,
  caller: CallerContext,
  tenantId: string,
  input: RoleInput,
  actor: Actor,
): Promise<RoleItem> {
  requireGrantable(caller, { permissions: input.permissions });
  return deps.store.createRole(tenantId, input, actor);
}

export async function updateRole(
  deps: IdentityDeps,
  caller: CallerContext,
  tenantId: string,
  roleId: string,
  changes: Partial<RoleInput>,
  actor: Actor,
): Promise<RoleItem> {
  if (isBuiltInRole(roleId)) throw builtInReadOnly(roleId);
  const current = await deps.store.requireRole(tenantId, roleId);
  if (changes.permissions) {
    // Every user holding the role gains what is added, so the caller must hold it; removing is free.
    requireGrantable(caller, {
      permissions: changes.permissions.filter((p) => !current.permissions.includes(p)),
    });
  }
  return deps.store.updateRole(current, changes, actor);
}

export async function deleteRole(
  deps: IdentityDeps,
  tenantId: string,
  roleId: string,
  actor: Actor,
): Promise<void> {
  if (isBuiltInRole(roleId)) throw builtInReadOnly(roleId);
  const current = await deps.store.getRole(tenantId, roleId);
  if (!current) throw problems.notFound('The role');
  if (await deps.store.roleInUse(tenantId, roleId)) {
    throw problems.conflict('role_in_use', `Users hold the role ${roleId}; take it from them first.`, {
      roleId,
    });
  }
  await deps.store.deleteRole(current, actor);
}
