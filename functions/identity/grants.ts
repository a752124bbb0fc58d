// What a caller may hand out: nobody grants a permission they do not hold themselves, whether by
// writing it into a custom role or by giving someone a role that carries it.
import { permissionsOf, selfPermissions } from '../../libs/auth/roles.ts';
import type { RoleItem } from '../../libs/data/identity-entities.ts';
import { Problem } from '../../libs/http/problem.ts';

export function requireHeld(held: ReadonlySet<string>, granted: Iterable<string>): void {
  const notHeld = [...new Set(granted)].filter((p) => !held.has(p)).sort();
  if (notHeld.length > 0) {
    throw new Problem(
      403,
      'permission_not_held',
      `You cannot grant permissions you do not hold: ${notHeld.join(', ')}.`,
      { extensions: { permissions: notHeld } },
    );
  }
}

/** The permissions that the roles newly given to a user carry (every user has the self ones already). */
export function permissionsAdded(
  before: readonly string[],
  after: readonly string[],
  customRoles: readonly RoleItem[],
): Set<string> {
  const added = after.filter((r) => !before.includes(r));
  const granted = permissionsOf(added, customRoles);
  for (const p of selfPermissions) granted.delete(p);
  return granted;
}
