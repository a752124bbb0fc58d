// What a caller may hand out. Nobody grants a permission they do not hold, whether by giving someone
// a role that carries it (invitations, role changes, group mappings), by writing it into a custom
// role, or by giving it to an API key as a scope; and only an owner grants the owner role.
import type { RoleItem } from '../data/identity-entities.ts';
import { Problem, problems, type FieldError } from '../http/problem.ts';
import { isBuiltInRole, permissionsOf, selfPermissions } from './roles.ts';

export const ownerRole = 'owner';

/** Who is granting: what they hold, and whether they are an owner (unknown: not; an API key never is). */
export interface Grantor {
  permissions: ReadonlySet<string>;
  isOwner?: boolean | undefined;
}

/** What is being granted: roles (built-in names or custom role ids), permissions, or both. */
export interface Grant {
  roles?: readonly string[] | undefined;
  permissions?: Iterable<string> | undefined;
  /** The tenant's custom roles among `roles`, so their permissions count; unknown ids grant nothing. */
  customRoles?: readonly RoleItem[] | undefined;
}

/** The permissions `roles` carry beyond the self permissions every user has anyway. */
export function permissionsCarried(roles: readonly string[], customRoles: readonly RoleItem[]): Set<string> {
  const carried = permissionsOf(roles, customRoles);
  for (const p of selfPermissions) carried.delete(p);
  return carried;
}

/**
 * Refuses the grant unless the grantor holds everything it carries: 403 `owner_role_required` for
 * the owner role from a non-owner, else 403 `permission_not_held` naming the permissions lacking.
 */
export function requireGrantable(grantor: Grantor, grant: Grant): void {
  const roles = grant.roles ?? [];
  if (roles.includes(ownerRole) && grantor.isOwner !== true) {
    throw new Problem(403, 'owner_role_required', 'Only an owner may grant the owner role.');
  }
  const granted = new Set([
    ...permissionsCarried(roles, grant.customRoles ?? []),
    ...(grant.permissions ?? []),
  ]);
  const notHeld = [...granted].filter((p) => !grantor.permissions.has(p)).sort();
  if (notHeld.length > 0) {
    throw new Problem(
      403,
      'permission_not_held',
      `You cannot grant permissions you do not hold: ${notHeld.join(', ')}.`,
      { extensions: { permissions: notHeld } },
    );
  }
}

/**
 * Roles a request names, each with its field: every one must exist (a built-in name, or one of
 * `customRoles`, the tenant's roles among them) and be grantable by the grantor. The one check for
 * invitations, group mappings of SSO connections and directories alike.
 */
export function requireGrantableRoles(
  grantor: Grantor,
  roles: ReadonlyArray<{ role: string; path: string }>,
  customRoles: readonly RoleItem[],
): void {
  const errors: FieldError[] = roles
    .filter(({ role }) => !isBuiltInRole(role) && !customRoles.some((r) => r.roleId === role))
    .map(({ role, path }) => ({
      path,
      code: 'unknown_role',
      message: `"${role}" is not a role of this tenant`,
    }));
  if (errors.length > 0) throw problems.validation(errors);
  requireGrantable(grantor, { roles: roles.map((r) => r.role), customRoles });
}
