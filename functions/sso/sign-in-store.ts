// Access patterns of SSO sign-ins: the sign-in Plinth started at the IdP (used once), the failures an
// admin reads per connection, the one-time proof a completed sign-in hands the app, and the users it
// provisions. A provisioned user takes a seat under the plan's limit in the same transaction.
import { createWriteTransaction } from 'electrodb';
import { ulid } from 'ulid';
import type { SignInProofItem, UserItem } from '../../libs/data/identity-entities.ts';
import {
  eventItem,
  ifConditionHolds,
  rejectedIndexes,
  transactionConflict,
  concurrentUpdate,
  type Actor,
  type Page,
  type PageRequest,
} from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import type { SignInFailureItem, SignInItem, SsoEntities } from './entities.ts';

/** Failures are kept a month: long enough to debug an IdP, short enough to hold no history. */
const failureDays = 30;

const userSnapshot = (user: UserItem) => ({
  id: user.userId,
  email: user.email,
  name: user.name,
  roles: user.roles,
  status: user.status,
});

export function createSignInStore(entities: SsoEntities, clock: () => Date = () => new Date()) {
  async function createSignIn(item: SignInItem): Promise<void> {
    await entities.signIn.create(item).go();
  }

  async function getSignIn(signInId: string): Promise<SignInItem | undefined> {
    const { data } = await entities.signIn.get({ signInId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** Ends a pending sign-in; false when another request ended it first (a replayed post). */
  async function finishSignIn(
    item: SignInItem,
    status: 'completed' | 'failed',
    result?: unknown,
  ): Promise<boolean> {
    const done = await ifConditionHolds(
      entities.signIn
        .patch({ signInId: item.signInId })
        .set({ status, ...(result !== undefined ? { result: JSON.stringify(result) } : {}) })
        .where((a, op) => op.eq(a.status, 'pending'))
        .go(),
    );
    return done !== undefined;
  }

  async function recordFailure(
    input: Pick<SignInFailureItem, 'tenantId' | 'connectionId' | 'code' | 'message' | 'email'>,
  ): Promise<void> {
    const now = clock();
    await entities.signInFailure
      .create({
        ...input,
        failureId: ulid(now.getTime()),
        at: now.toISOString(),
        expiresAt: Math.ceil(now.getTime() / 1000) + failureDays * 86_400,
      })
      .go();
  }

  async function listFailures(
    tenantId: string,
    connectionId: string,
    page: PageRequest,
  ): Promise<Page<SignInFailureItem>> {
    const result = await entities.signInFailure.query
      .byConnection({ tenantId, connectionId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  async function createProof(item: SignInProofItem): Promise<void> {
    await entities.signInProof.create(item).go();
  }

  async function getProof(codeHash: string): Promise<SignInProofItem | undefined> {
    const { data } = await entities.signInProof.get({ codeHash }).go({ consistent: true });
    return data ?? undefined;
  }

  /** The tenant's user with this (lower-case) email, if any. */
  async function userByEmail(tenantId: string, email: string): Promise<UserItem | undefined> {
    const { data } = await entities.user.query.byEmail({ tenantId, email }).go({ limit: 1 });
    return data[0];
  }

  async function getTenant(tenantId: string) {
    const { data } = await entities.tenant.get({ tenantId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function getSettings(tenantId: string) {
    const { data } = await entities.identitySettings.get({ tenantId }).go();
    return data ?? undefined;
  }

  /** A user made by their first SSO sign-in, with a seat under `userLimit` and `user.provisioned`. */
  async function provisionUser(
    user: UserItem,
    connectionId: string,
    userLimit: number,
    actor: Actor,
  ): Promise<void> {
    const event = eventItem(
      user.tenantId,
      actor,
      'user.provisioned',
      { user: userSnapshot(user), connectionId },
      new Date(user.createdAt),
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.user.create(user).commit(),
      e.tenant
        .update({ tenantId: user.tenantId })
        .add({ activeUsers: 1 })
        .where((a, op) => `${op.exists(a.tenantId)} AND ${op.lt(a.activeUsers, userLimit)}`)
        .commit(),
      e.event.create(event).commit(),
    ]).go();
    if (!result.canceled) return;
    const rejected = rejectedIndexes(result.data);
    if (rejected.includes(0)) throw concurrentUpdate();
    if (rejected.includes(1)) {
      throw problems.conflict('plan_limit_reached', `The tenant's plan allows ${userLimit} users.`, {
        limit: userLimit,
        resource: 'users',
      });
    }
    throw transactionConflict('The user could not be provisioned');
  }

  /** Name and roles from a later sign-in, if nothing else changed the user since it was read. */
  async function syncUser(current: UserItem, next: Pick<UserItem, 'name' | 'roles'>, actor: Actor) {
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (next.name !== current.name) changes.name = { from: current.name, to: next.name };
    if (JSON.stringify(next.roles) !== JSON.stringify(current.roles)) {
      changes.roles = { from: current.roles, to: next.roles };
    }
    if (Object.keys(changes).length === 0) return current;
    const now = clock();
    const saved: UserItem = { ...current, ...next, updatedAt: now.toISOString() };
    const event = eventItem(
      current.tenantId,
      actor,
      'user.updated',
      { user: userSnapshot(saved), changes },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.user
        .patch({ tenantId: current.tenantId, userId: current.userId })
        .set({ name: saved.name, roles: saved.roles, updatedAt: saved.updatedAt })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw concurrentUpdate();
    return saved;
  }

  return {
    createSignIn,
    getSignIn,
    finishSignIn,
    recordFailure,
    listFailures,
    createProof,
    getProof,
    userByEmail,
    getTenant,
    getSettings,
    provisionUser,
    syncUser,
  };
}

export type SignInStore = ReturnType<typeof createSignInStore>;
