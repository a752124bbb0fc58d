// The identity store against a real DynamoDB (Local): filters, conditions, owner guards and the
// outbox items written in the same transactions.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newSession } from '../../support/sessions.ts';
import { createIdentityStore, type IdentityStore } from '../../../functions/identity/store.ts';
import { changeSettings } from '../../../functions/identity/settings.ts';
import { createIdentityTables, eventTypes, seedTenant, seedUser, type IdentityTables } from './seed.ts';
import { problemOf } from '../../support/problems.ts';
import { defaultFilteredPageBounds } from '../../../libs/data/filtered-page.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { userItem } from '../../support/users.ts';

const actor = { type: 'user', id: 'actor' };

function userOf(tenant: { tenantId: string }, email: string): UserItem {
  return userItem(tenant.tenantId, { email });
}
let tables: IdentityTables;
let store: IdentityStore;
let now = new Date('2026-03-01T12:00:00.000Z');

beforeAll(async () => {
  tables = await createIdentityTables();
  store = createIdentityStore(tables.entities, () => {
    now = new Date(now.getTime() + 1000);
    return now;
  });
});

describe('identity store: users', () => {
  it('lists users in email order, filtered by email prefix, status and role, page by page', async () => {
    const tenant = await seedTenant(tables);
    await seedUser(tables, tenant, { email: 'ann@acme.test', roles: ['admin'] });
    await seedUser(tables, tenant, { email: 'bob@acme.test', status: 'deactivated' });
    await seedUser(tables, tenant, { email: 'bea@acme.test' });
    await seedUser(tables, tenant, { email: 'carl@acme.test', roles: ['member', 'billing'] });

    const first = await store.listUsers(tenant.tenantId, { status: 'active' }, { limit: 2 });
    const second = await store.listUsers(
      tenant.tenantId,
      { status: 'active' },
      { limit: 2, position: first.position ?? undefined },
    );
    const bPrefix = await store.listUsers(tenant.tenantId, { emailPrefix: 'b' }, { limit: 10 });
    const billing = await store.listUsers(tenant.tenantId, { role: 'billing' }, { limit: 10 });

    expect(first.items.map((u) => u.email)).toEqual(['ann@acme.test', 'bea@acme.test']);
    expect(second.items.map((u) => u.email)).toEqual(['carl@acme.test']);
    expect(bPrefix.items.map((u) => u.email)).toEqual(['bea@acme.test', 'bob@acme.test']);
    expect(billing.items.map((u) => u.email)).toEqual(['carl@acme.test']);
  });

  it('a filtered page reads a bounded number of users: it comes back short with a cursor to go on', async () => {
    const tenant = await seedTenant(tables);
    const { maxReads, readSize } = defaultFilteredPageBounds;
    const active = Array.from({ length: maxReads * readSize + 10 }, (_, i) => ({
      ...userOf(tenant, `a${String(i).padStart(4, '0')}@acme.test`),
    }));
    await tables.entities.user.put(active).go();
    await seedUser(tables, tenant, { email: 'zoe@acme.test', status: 'deactivated' });

    const first = await store.listUsers(tenant.tenantId, { status: 'deactivated' }, { limit: 25 });
    const second = await store.listUsers(
      tenant.tenantId,
      { status: 'deactivated' },
      { limit: 25, position: first.position ?? undefined },
    );

    expect([first.items, first.position]).toEqual([[], expect.any(String)]);
    expect([second.items.map((u) => u.email), second.position]).toEqual([['zoe@acme.test'], null]);
  });

  it("a tenant's users are invisible from another tenant", async () => {
    const a = await seedTenant(tables);
    const b = await seedTenant(tables);
    const userOfA = await seedUser(tables, a);

    expect(await store.getUser(b.tenantId, userOfA.userId)).toBeUndefined();
    expect((await store.listUsers(b.tenantId, {}, { limit: 10 })).items).toEqual([]);
  });

  it('demoting an owner checks in the same transaction that the remaining owner still is one', async () => {
    const tenant = await seedTenant(tables);
    const ann = await seedUser(tables, tenant, { roles: ['owner'] });
    const bob = await seedUser(tables, tenant, { roles: ['owner'] });
    // Bob stopped being an owner after the witness was chosen.
    await tables.entities.user
      .patch({ tenantId: tenant.tenantId, userId: bob.userId })
      .set({ roles: ['admin'] })
      .go();

    const problem = await problemOf(
      store.updateUser(ann, { roles: ['admin'] }, { remainingOwner: bob }, actor),
    );

    expect(problem.code).toBe('last_owner');
    expect((await store.getUser(tenant.tenantId, ann.userId))?.roles).toEqual(['owner']);
  });

  it('two owners demoting each other at once leave the tenant with an owner', async () => {
    const tenant = await seedTenant(tables);
    const ann = await seedUser(tables, tenant, { roles: ['owner'] });
    const bob = await seedUser(tables, tenant, { roles: ['owner'] });

    const results = await Promise.allSettled([
      store.updateUser(ann, { roles: ['admin'] }, { remainingOwner: bob }, actor),
      store.updateUser(bob, { roles: ['admin'] }, { remainingOwner: ann }, actor),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await store.activeOwners(tenant.tenantId)).toHaveLength(1);
  });

  it('granting a custom role deleted meanwhile is a field error and changes nothing', async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);
    const role = await store.createRole(tenant.tenantId, { name: 'Ops', permissions: ['jobs:read'] }, actor);
    await store.deleteRole(role, actor);

    const problem = await problemOf(
      store.updateUser(user, { roles: ['member', role.roleId] }, { customRoleIds: [role.roleId] }, actor),
    );

    expect([problem.code, problem.errors?.[0]?.code]).toEqual(['validation_failed', 'unknown_role']);
    expect((await store.getUser(tenant.tenantId, user.userId))?.roles).toEqual(['member']);
  });

  it('deactivating refuses earlier tokens and emits user.deactivated; a stale status change fails', async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);

    const deactivated = await store.changeStatus(user, 'deactivated', {}, actor);
    const stale = await problemOf(store.changeStatus(user, 'deactivated', {}, actor));

    const stored = await store.getUser(tenant.tenantId, user.userId);
    expect(stored?.status).toBe('deactivated');
    expect(stored?.tokensNotBeforeMs).toBe(Date.parse(deactivated.updatedAt));
    expect(stale.code).toBe('concurrent_update');
    expect(await eventTypes(tables, tenant.tenantId)).toEqual(['user.deactivated']);
  });

  it("deleting a user frees their seat on the tenant's user count in the same transaction", async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);
    await seedUser(tables, tenant);

    await store.deleteUser(user, {}, actor);

    const { data } = await tables.entities.tenant.get({ tenantId: tenant.tenantId }).go();
    expect(data?.activeUsers).toBe(1);
    expect(await store.getUser(tenant.tenantId, user.userId)).toBeUndefined();
    expect(await eventTypes(tables, tenant.tenantId)).toEqual(['user.deleted']);
  });

  it('a sign-in records lastSignInAt with auth.signed_in; an unknown user records nothing', async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);

    expect(await store.recordSignIn(tenant.tenantId, user.userId, 'client-1')).toBe(true);
    expect(await store.recordSignIn(tenant.tenantId, randomUUID(), 'client-1')).toBe(false);

    expect((await store.getUser(tenant.tenantId, user.userId))?.lastSignInAt).toBeDefined();
    expect(await eventTypes(tables, tenant.tenantId)).toEqual(['auth.signed_in']);
  });
});

describe('identity store: sessions', () => {
  async function seedSession(tenantId: string, userId: string) {
    const session = newSession({
      tenantId,
      userId,
      sessionId: randomUUID(),
      authTime: Math.floor(now.getTime() / 1000),
      userAgent: 'test',
      ip: '192.0.2.1',
      now,
    });
    await tables.entities.session.create(session).go();
    return session;
  }

  it('revoking a session once emits session.revoked; again changes nothing; an unknown one is a 404', async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);
    const session = await seedSession(tenant.tenantId, user.userId);

    expect(await store.revokeSession(tenant.tenantId, user.userId, session.sessionId, actor)).toBe(true);
    expect(await store.revokeSession(tenant.tenantId, user.userId, session.sessionId, actor)).toBe(false);
    const missing = await problemOf(store.revokeSession(tenant.tenantId, user.userId, randomUUID(), actor));

    expect(missing.status).toBe(404);
    expect(await eventTypes(tables, tenant.tenantId)).toEqual(['session.revoked']);
  });

  it('sign out everywhere revokes every live session, sets tokensNotBeforeMs and names the sessions in one event', async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);
    const sessions = [
      await seedSession(tenant.tenantId, user.userId),
      await seedSession(tenant.tenantId, user.userId),
    ];
    const other = await seedUser(tables, tenant);
    await seedSession(tenant.tenantId, other.userId);

    const revoked = await store.revokeAllSessions(tenant.tenantId, user.userId, actor);

    expect(revoked).toBe(2);
    expect((await store.listLiveSessions(tenant.tenantId, user.userId, { limit: 10 })).items).toEqual([]);
    expect((await store.listLiveSessions(tenant.tenantId, other.userId, { limit: 10 })).items).toHaveLength(
      1,
    );
    const signedOut = await store.getUser(tenant.tenantId, user.userId);
    expect(signedOut?.tokensNotBeforeMs).toBe(Date.parse(signedOut!.updatedAt));
    const { data: events } = await tables.events.query.byTenant({ tenantId: tenant.tenantId }).go();
    expect(events.map((e) => [e.type, new Set((e.data as { sessionIds: string[] }).sessionIds)])).toEqual([
      ['session.revoked', new Set(sessions.map((s) => s.sessionId))],
    ]);
  });

  it('signing out a user who does not exist is a 404', async () => {
    const tenant = await seedTenant(tables);

    const problem = await problemOf(store.revokeAllSessions(tenant.tenantId, randomUUID(), actor));

    expect(problem.status).toBe(404);
  });
});

describe('identity store: roles and settings', () => {
  it('a custom role in use is found; one nobody holds is not', async () => {
    const tenant = await seedTenant(tables);
    const used = await store.createRole(tenant.tenantId, { name: 'Ops', permissions: ['jobs:read'] }, actor);
    const unused = await store.createRole(
      tenant.tenantId,
      { name: 'Spare', permissions: ['jobs:read'] },
      actor,
    );
    await seedUser(tables, tenant, { roles: ['member', used.roleId] });

    expect(await store.roleInUse(tenant.tenantId, used.roleId)).toBe(true);
    expect(await store.roleInUse(tenant.tenantId, unused.roleId)).toBe(false);
  });

  it('settings are created, then replaced only by a writer who read the current version', async () => {
    const tenant = await seedTenant(tables);
    const first = changeSettings(tenant.tenantId, undefined, { mfaPolicy: 'required', mfaGraceDays: 3 }, now);
    await store.saveSettings(undefined, first.next, first.diff, actor);
    const second = changeSettings(
      tenant.tenantId,
      first.next,
      { mfaGraceDays: 5 },
      new Date(now.getTime() + 5000),
    );

    const duplicateCreate = await problemOf(store.saveSettings(undefined, first.next, first.diff, actor));
    await store.saveSettings(first.next, second.next, second.diff, actor);
    const stale = await problemOf(store.saveSettings(first.next, second.next, second.diff, actor));

    expect([duplicateCreate.code, stale.code]).toEqual(['concurrent_update', 'concurrent_update']);
    expect(await store.getSettings(tenant.tenantId)).toMatchObject({
      mfaPolicy: 'required',
      mfaGraceDays: 5,
      mfaRequiredSince: first.next.mfaRequiredSince,
    });
    expect(await eventTypes(tables, tenant.tenantId)).toHaveLength(2);
  });
});
