// Access patterns of users. Every mutation is one transaction that also writes its event; changes
// that take an owner away check, in the same transaction, that another active owner remains.
import { createConversions, createWriteTransaction } from 'electrodb';
import { ownerRole } from '../../libs/auth/grants.ts';
import { readFilteredPage } from '../../libs/data/filtered-page.ts';
import type { UserItem, UserStatus } from '../../libs/data/identity-entities.ts';
import {
  concurrentUpdate,
  eventItem,
  rejectedIndexes,
  type Actor,
  type Page,
  type PageRequest,
  transactionConflict,
} from '../../libs/data/outbox.ts';
import type { Problem } from '../../libs/http/problem.ts';
import { problems } from '../../libs/http/problem.ts';
import { lastOwner } from './owners.ts';
import { userSnapshot } from './present.ts';
import { createRoleStore } from './role-store.ts';
import { createSessionStore } from './session-store.ts';
import { createSettingsStore } from './settings-store.ts';
import { type Clock, type IdentityStoreEntities, type IdentityWriteEntities } from './store-entities.ts';

export interface UserFilter {
  status?: UserStatus | undefined;
  role?: string | undefined;
  /** Lower-case. */
  emailPrefix?: string | undefined;
}

export interface UserChanges {
  name?: string | undefined;
  roles?: string[] | undefined;
}

/** Conditions a user mutation carries besides the user item's own. */
export interface UserGuards {
  /** Another active owner, checked to still be one: the change takes an owner away. */
  remainingOwner?: UserItem | undefined;
  /** Custom role ids the change grants, checked to still exist. */
  customRoleIds?: readonly string[] | undefined;
}

export function createUserStore(entities: IdentityStoreEntities, clock: Clock) {
  const userCursor = createConversions(entities.user).byAccessPattern.byEmail.fromComposite;
  async function getUser(tenantId: string, userId: string): Promise<UserItem | undefined> {
    const { data } = await entities.user.get({ tenantId, userId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** Every tenant the person with pool `sub` `userId` is a user of, in tenant id order. */
  async function membershipsOf(userId: string): Promise<UserItem[]> {
    const { data } = await entities.user.query.byPerson({ userId }).go({ pages: 'all' });
    return data;
  }

  /** The person's active memberships, each with its tenant; tenants gone from the table are left out. */
  async function activeMembershipsOf(userId: string) {
    const active = (await membershipsOf(userId)).filter((m) => m.status === 'active');
    // A person has a handful of memberships: one read each, none left unprocessed as a batch can.
    const found = await Promise.all(
      active.map(async (user) => {
        const { data: tenant } = await entities.tenant.get({ tenantId: user.tenantId }).go();
        return tenant ? [{ user, tenant }] : [];
      }),
    );
    return found.flat();
  }

  async function requireUser(tenantId: string, userId: string): Promise<UserItem> {
    const user = await getUser(tenantId, userId);
    if (!user) throw problems.notFound('The user');
    return user;
  }

  /** Users in email order; a filtered page reads a bounded number of users and may come back short. */
  async function listUsers(tenantId: string, filter: UserFilter, page: PageRequest): Promise<Page<UserItem>> {
    const byEmail = entities.user.query.byEmail({ tenantId });
    const query = filter.emailPrefix ? byEmail.begins({ email: filter.emailPrefix }) : byEmail;
    const { status, role } = filter;
    const filtered =
      status !== undefined || role !== undefined
        ? query.where((a, op) =>
            [
              ...(status !== undefined ? [op.eq(a.status, status)] : []),
              ...(role !== undefined ? [op.contains(a.roles, role)] : []),
            ].join(' AND '),
          )
        : query;
    return readFilteredPage(
      (read) => filtered.go(read),
      (u) => userCursor.toCursor(u),
      page,
    );
  }

  async function activeOwners(tenantId: string): Promise<UserItem[]> {
    const { data } = await entities.user.query
      .byId({ tenantId })
      .where((a, op) => `${op.eq(a.status, 'active')} AND ${op.contains(a.roles, ownerRole)}`)
      .go({ pages: 'all' });
    return data;
  }

  /** Whether any user holds `role`. */
  async function roleInUse(tenantId: string, role: string): Promise<boolean> {
    const { data } = await entities.user.query
      .byId({ tenantId })
      .where((a, op) => op.contains(a.roles, role))
      .go({ count: 1 });
    return data.length > 0;
  }

  function guardWrites(tenantId: string, guards: UserGuards) {
    return (e: IdentityWriteEntities) => [
      ...(guards.remainingOwner
        ? [
            e.user
              .check({ tenantId, userId: guards.remainingOwner.userId })
              .where((a, op) => `${op.eq(a.status, 'active')} AND ${op.contains(a.roles, ownerRole)}`)
              .commit(),
          ]
        : []),
      ...(guards.customRoleIds ?? []).map((roleId) =>
        e.role
          .check({ tenantId, roleId })
          .where((a, op) => op.exists(a.roleId))
          .commit(),
      ),
    ];
  }

  /** Why a user mutation whose first item is the user and then its guards was cancelled. */
  function cancelled(data: ReadonlyArray<{ rejected: boolean; code: string }>, guards: UserGuards): Problem {
    const rejected = rejectedIndexes(data);
    const ownerIndex = guards.remainingOwner ? 1 : -1;
    const firstRole = guards.remainingOwner ? 2 : 1;
    if (rejected.includes(0)) return concurrentUpdate();
    if (rejected.includes(ownerIndex)) return lastOwner();
    const missing = rejected.filter(
      (i) => i >= firstRole && i < firstRole + (guards.customRoleIds?.length ?? 0),
    );
    if (missing.length > 0) {
      return problems.validation(
        missing.map((i) => ({
          path: 'body.roles',
          code: 'unknown_role',
          message: `role ${guards.customRoleIds?.[i - firstRole] ?? ''} does not exist`,
        })),
      );
    }
    return transactionConflict('The user could not be changed');
  }

  async function updateUser(
    current: UserItem,
    changes: UserChanges,
    guards: UserGuards,
    actor: Actor,
  ): Promise<UserItem> {
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    if (changes.name !== undefined && changes.name !== current.name)
      diff.name = { from: current.name, to: changes.name };
    const rolesChanged =
      changes.roles !== undefined &&
      (changes.roles.length !== current.roles.length || changes.roles.some((r, i) => r !== current.roles[i]));
    if (rolesChanged) diff.roles = { from: current.roles, to: changes.roles };
    if (Object.keys(diff).length === 0) return current;
    const now = clock();
    const next: UserItem = {
      ...current,
      name: changes.name ?? current.name,
      roles: changes.roles ?? current.roles,
      updatedAt: now.toISOString(),
    };
    const { tenantId, userId } = current;
    const event = eventItem(
      tenantId,
      actor,
      'user.updated',
      { user: userSnapshot(next), changes: diff },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.user
        .patch({ tenantId, userId })
        .set({ name: next.name, roles: next.roles, updatedAt: next.updatedAt })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
      ...guardWrites(tenantId, guards)(e),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw cancelled(result.data, guards);
    return next;
  }

  /** Deactivating also refuses every token issued so far (tokensNotBeforeMs). */
  async function changeStatus(
    current: UserItem,
    to: UserStatus,
    guards: UserGuards,
    actor: Actor,
  ): Promise<UserItem> {
    const now = clock();
    const { tenantId, userId } = current;
    const next: UserItem = {
      ...current,
      status: to,
      updatedAt: now.toISOString(),
      ...(to === 'deactivated' ? { tokensNotBeforeMs: now.getTime() } : {}),
    };
    const event =
      to === 'deactivated'
        ? eventItem(tenantId, actor, 'user.deactivated', { userId }, now)
        : eventItem(tenantId, actor, 'user.reactivated', { userId }, now);
    const result = await createWriteTransaction(entities, (e) => [
      e.user
        .patch({ tenantId, userId })
        .set({
          status: to,
          updatedAt: next.updatedAt,
          ...(next.tokensNotBeforeMs !== undefined ? { tokensNotBeforeMs: next.tokensNotBeforeMs } : {}),
        })
        .where((a, op) => op.eq(a.status, current.status))
        .commit(),
      ...guardWrites(tenantId, guards)(e),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw cancelled(result.data, guards);
    return next;
  }

  /** Removes the user and frees their seat on the tenant's user count. */
  async function deleteUser(current: UserItem, guards: UserGuards, actor: Actor): Promise<void> {
    const now = clock();
    const { tenantId, userId } = current;
    const event = eventItem(tenantId, actor, 'user.deleted', { userId, email: current.email }, now);
    const result = await createWriteTransaction(entities, (e) => [
      e.user
        .delete({ tenantId, userId })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
      ...guardWrites(tenantId, guards)(e),
      e.tenant.patch({ tenantId }).subtract({ activeUsers: 1 }).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw cancelled(result.data, guards);
  }

  /** After a TOTP enrolment the user pool has confirmed. */
  async function markMfaEnrolled(current: UserItem, actor: Actor): Promise<UserItem> {
    const now = clock();
    const { tenantId, userId } = current;
    const next: UserItem = { ...current, mfaEnrolled: true, updatedAt: now.toISOString() };
    const event = eventItem(tenantId, actor, 'auth.mfa_enrolled', { userId, method: 'totp' }, now);
    const result = await createWriteTransaction(entities, (e) => [
      e.user.patch({ tenantId, userId }).set({ mfaEnrolled: true, updatedAt: next.updatedAt }).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw problems.notFound('The user');
    return next;
  }

  /** A successful sign-in; false when the user is not (or no longer) in the table. */
  async function recordSignIn(tenantId: string, userId: string, clientId: string): Promise<boolean> {
    const now = clock();
    const event = eventItem(
      tenantId,
      { type: 'user', id: userId },
      'auth.signed_in',
      { userId, clientId },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.user.patch({ tenantId, userId }).set({ lastSignInAt: now.toISOString() }).commit(),
      e.event.create(event).commit(),
    ]).go();
    return !result.canceled;
  }

  return {
    getUser,
    membershipsOf,
    activeMembershipsOf,
    requireUser,
    listUsers,
    activeOwners,
    roleInUse,
    updateUser,
    changeStatus,
    deleteUser,
    markMfaEnrolled,
    recordSignIn,
  };
}

export function createIdentityStore(entities: IdentityStoreEntities, clock: Clock = () => new Date()) {
  return {
    ...createUserStore(entities, clock),
    ...createSessionStore(entities, clock),
    ...createRoleStore(entities, clock),
    ...createSettingsStore(entities),
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
