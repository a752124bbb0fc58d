// The owner role's rules: who may change an owner, and that a tenant keeps an active owner.
import { describe, expect, it } from 'vitest';
import { ownerImpact, remainingOwner, requireOwnerCaller } from '../../../functions/identity/owners.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { Problem } from '../../../libs/http/problem.ts';

function user(userId: string, overrides: Partial<UserItem> = {}): UserItem {
  return {
    tenantId: 'ten_1',
    userId,
    email: `${userId}@acme.test`,
    emailVerified: true,
    name: userId,
    roles: ['member'],
    status: 'active',
    mfaEnrolled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem) return error.code;
    throw error;
  }
  return undefined;
}

describe('owner rules', () => {
  const ann = user('ann', { roles: ['owner'] });

  it('granting or removing owner needs an owner; other role changes do not', () => {
    expect(ownerImpact(user('bob'), { kind: 'roles', roles: ['owner'] }).needsOwnerCaller).toBe(true);
    expect(ownerImpact(ann, { kind: 'roles', roles: ['admin'] }).needsOwnerCaller).toBe(true);
    expect(ownerImpact(ann, { kind: 'roles', roles: ['owner', 'billing'] }).needsOwnerCaller).toBe(false);
    expect(ownerImpact(user('bob'), { kind: 'roles', roles: ['admin'] }).needsOwnerCaller).toBe(false);
  });

  it('deactivating, reactivating or deleting an owner needs an owner', () => {
    for (const kind of ['deactivate', 'reactivate', 'delete'] as const) {
      expect(ownerImpact(ann, { kind }).needsOwnerCaller).toBe(true);
      expect(ownerImpact(user('bob'), { kind }).needsOwnerCaller).toBe(false);
    }
  });

  it('an admin who is not an owner is refused with owner_required', () => {
    const impact = ownerImpact(ann, { kind: 'delete' });

    expect(codeOf(() => requireOwnerCaller(impact, false))).toBe('owner_required');
    expect(codeOf(() => requireOwnerCaller(impact, true))).toBeUndefined();
  });

  it('demoting, deactivating or deleting an active owner takes an active owner away', () => {
    expect(ownerImpact(ann, { kind: 'roles', roles: ['admin'] }).removesActiveOwner).toBe(true);
    expect(ownerImpact(ann, { kind: 'deactivate' }).removesActiveOwner).toBe(true);
    expect(ownerImpact(ann, { kind: 'delete' }).removesActiveOwner).toBe(true);
    expect(ownerImpact(ann, { kind: 'reactivate' }).removesActiveOwner).toBe(false);
    const deactivatedOwner = user('dee', { roles: ['owner'], status: 'deactivated' });
    expect(ownerImpact(deactivatedOwner, { kind: 'delete' }).removesActiveOwner).toBe(false);
  });

  it('the last active owner cannot go: 409 last_owner', () => {
    const deactivatedOwner = user('dee', { roles: ['owner'], status: 'deactivated' });

    expect(codeOf(() => remainingOwner(ann, [ann]))).toBe('last_owner');
    expect(codeOf(() => remainingOwner(ann, [ann, deactivatedOwner]))).toBe('last_owner');
  });

  it('with another active owner, that owner is the one the transaction checks', () => {
    const bob = user('bob', { roles: ['owner', 'billing'] });

    expect(remainingOwner(ann, [ann, bob]).userId).toBe('bob');
  });
});
