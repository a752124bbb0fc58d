// The owner role's rules: only an owner grants, removes or acts on an owner, and a tenant always keeps
// an active owner. The store checks the remaining owner inside the same transaction as the change, so
// two owners demoting each other at once cannot both succeed.
import { ownerRole } from '../../libs/auth/grants.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import { Problem } from '../../libs/http/problem.ts';

export type UserChange =
  | { kind: 'roles'; roles: readonly string[] }
  | { kind: 'deactivate' }
  | { kind: 'reactivate' }
  | { kind: 'delete' };

export interface OwnerImpact {
  /** Only an owner may make this change. */
  needsOwnerCaller: boolean;
  /** The change leaves the tenant one active owner fewer. */
  removesActiveOwner: boolean;
}

export function isOwner(user: Pick<UserItem, 'roles'>): boolean {
  return user.roles.includes(ownerRole);
}

export function isActiveOwner(user: Pick<UserItem, 'roles' | 'status'>): boolean {
  return user.status === 'active' && isOwner(user);
}

export function ownerImpact(target: UserItem, change: UserChange): OwnerImpact {
  const wasOwner = isOwner(target);
  if (change.kind === 'roles') {
    const willBeOwner = change.roles.includes(ownerRole);
    return {
      needsOwnerCaller: wasOwner !== willBeOwner,
      removesActiveOwner: isActiveOwner(target) && !willBeOwner,
    };
  }
  return {
    needsOwnerCaller: wasOwner,
    removesActiveOwner: change.kind !== 'reactivate' && isActiveOwner(target),
  };
}

/** Refuses a change to an owner's role or access by anyone but an owner. */
export function requireOwnerCaller(impact: OwnerImpact, callerIsOwner: boolean): void {
  if (impact.needsOwnerCaller && !callerIsOwner) {
    throw new Problem(403, 'owner_required', 'Only an owner may grant, remove or change an owner.');
  }
}

/**
 * Another active owner who stays when `target` stops being one: the transaction checks they still
 * are. Throws 409 `last_owner` when there is none.
 */
export function remainingOwner(target: UserItem, activeOwners: readonly UserItem[]): UserItem {
  const other = activeOwners.find((u) => u.userId !== target.userId && isActiveOwner(u));
  if (!other) throw lastOwner();
  return other;
}

export function lastOwner(): Problem {
  return new Problem(
    409,
    'last_owner',
    'This is the last active owner of the tenant; make another user an owner first.',
  );
}
