// The identity routes over a real DynamoDB (Local), with the user pool faked: tenant isolation, the
// owner rules, roles, sessions and settings as a caller sees them.
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IdentityDeps } from '../../../functions/identity/context.ts';
import { meRoutes } from '../../../functions/identity/routes/me.ts';
import { roleRoutes } from '../../../functions/identity/routes/roles.ts';
import { settingsRoutes } from '../../../functions/identity/routes/settings.ts';
import { userRoutes } from '../../../functions/identity/routes/users.ts';
import { newSession } from '../../support/sessions.ts';
import { createIdentityStore } from '../../../functions/identity/store.ts';
import type { UserPool } from '../../../functions/identity/user-pool.ts';
import type { CallerContext } from '../../../libs/auth/caller.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { functionEnv } from '../../support/function-env.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';
import { userCaller } from '../../unit/identity/items.ts';
import { createIdentityTables, eventTypes, seedTenant, seedUser, type IdentityTables } from './seed.ts';

/** Records what the routes asked of the user pool. */
function fakeUserPool(tenantOfUser: Map<string, string>) {
  const calls: string[] = [];
  const record = (name: string) => (userId: string) => {
    calls.push(`${name} ${userId}`);
    return Promise.resolve();
  };
  const pool: UserPool = {
    disableUser: record('disable'),
    enableUser: record('enable'),
    deleteUser: record('delete'),
    signOutEverywhere: record('signOut'),
    setName: (userId) => record('setName')(userId),
    tenantOf: (userId) => Promise.resolve(tenantOfUser.get(userId)),
    associateTotp: () => Promise.resolve('JBSWY3DPEHPK3PXP'),
    verifyTotp: () => Promise.resolve(),
    preferTotp: record('preferTotp'),
  };
  return { pool, calls };
}

let tables: IdentityTables;
let api: ApiHandler;
const poolTenants = new Map<string, string>();
const userPool = fakeUserPool(poolTenants);

async function call(
  caller: CallerContext,
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string>,
) {
  const res = await api(
    apiEvent({ method, path, caller, body, ...(query ? { query } : {}) }),
    lambdaContext(),
  );
  return { status: res.statusCode, body: res.body ? json(res.body) : {} };
}

beforeAll(async () => {
  tables = await createIdentityTables();
  const deps: IdentityDeps = {
    store: createIdentityStore(tables.entities),
    userPool: userPool.pool,
    config: loadRuntimeConfig(functionEnv({ TABLE_NAME: tables.tableName })),
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    clock: () => new Date(),
  };
  api = createApiHandler({
    serviceName: 'identity',
    routes: [...meRoutes(deps), ...userRoutes(deps), ...roleRoutes(deps), ...settingsRoutes(deps)],
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    logger: new Logger({ serviceName: 'identity', logLevel: 'SILENT' }),
  });
});

async function tenantWithOwner() {
  const tenant = await seedTenant(tables);
  const owner = await seedUser(tables, tenant, {
    roles: ['owner'],
    email: `owner-${randomUUID()}@acme.test`,
  });
  return { tenant, owner, caller: userCaller(owner) };
}

describe('identity routes: tenant isolation', () => {
  it("a user of tenant A never sees tenant B's users", async () => {
    const a = await tenantWithOwner();
    const b = await tenantWithOwner();
    poolTenants.set(b.owner.userId, b.tenant.tenantId);

    const get = await call(a.caller, 'GET', `/v1/users/${b.owner.userId}`);
    const patch = await call(a.caller, 'PATCH', `/v1/users/${b.owner.userId}`, { name: 'Mallory' });
    const remove = await call(a.caller, 'DELETE', `/v1/users/${b.owner.userId}`);
    const sessions = await call(a.caller, 'GET', `/v1/users/${b.owner.userId}/sessions`);
    const list = await call(a.caller, 'GET', '/v1/users');

    expect([get.status, patch.status, remove.status, sessions.status]).toEqual([404, 404, 404, 404]);
    expect((list.body.items as Array<{ id: string }>).map((u) => u.id)).toEqual([a.owner.userId]);
    expect(userPool.calls).not.toContain(`delete ${b.owner.userId}`);
  });

  it("a cursor of one user list does not continue another's", async () => {
    const { tenant, caller } = await tenantWithOwner();
    await seedUser(tables, tenant);
    await seedUser(tables, tenant);

    const first = await call(caller, 'GET', '/v1/users', undefined, { limit: '1' });
    const replay = await call(caller, 'GET', '/v1/users', undefined, {
      limit: '1',
      status: 'active',
      cursor: String(first.body.nextCursor),
    });

    expect(first.body.nextCursor).toBeDefined();
    expect([replay.status, replay.body.code]).toEqual([400, 'invalid_cursor']);
  });

  it('a cursor of one principal does not continue for another of the same tenant', async () => {
    const { tenant, caller } = await tenantWithOwner();
    const otherOwner = await seedUser(tables, tenant, { roles: ['owner'] });
    await seedUser(tables, tenant);
    const first = await call(caller, 'GET', '/v1/users', undefined, { limit: '1' });
    const cursor = String(first.body.nextCursor);

    const sameUser = await call(
      { ...caller, credentialId: 'another-sign-in' },
      'GET',
      '/v1/users',
      undefined,
      {
        limit: '1',
        cursor,
      },
    );
    const otherUser = await call(userCaller(otherOwner), 'GET', '/v1/users', undefined, {
      limit: '1',
      cursor,
    });

    expect(sameUser.status).toBe(200);
    expect([otherUser.status, otherUser.body.code]).toEqual([400, 'invalid_cursor']);
  });
});

describe('identity routes: owners', () => {
  it('the last owner cannot be demoted; after promoting another, they can', async () => {
    const { tenant, owner, caller } = await tenantWithOwner();
    const other = await seedUser(tables, tenant, { roles: ['admin'] });

    const refused = await call(caller, 'PATCH', `/v1/users/${owner.userId}`, { roles: ['admin'] });
    const promoted = await call(caller, 'PATCH', `/v1/users/${other.userId}`, { roles: ['owner'] });
    const demoted = await call(caller, 'PATCH', `/v1/users/${owner.userId}`, { roles: ['admin'] });

    expect([refused.status, refused.body.code]).toEqual([409, 'last_owner']);
    expect([promoted.status, promoted.body.roles]).toEqual([200, ['owner']]);
    expect([demoted.status, demoted.body.roles]).toEqual([200, ['admin']]);
  });

  it('deleting a user frees their seat and removes them from the pool', async () => {
    const { tenant, caller } = await tenantWithOwner();
    const member = await seedUser(tables, tenant);

    const res = await call(caller, 'DELETE', `/v1/users/${member.userId}`);

    expect(res.status).toBe(204);
    expect((await tables.entities.tenant.get({ tenantId: tenant.tenantId }).go()).data?.activeUsers).toBe(1);
    expect(userPool.calls).toContain(`delete ${member.userId}`);
    expect(await eventTypes(tables, tenant.tenantId)).toEqual(['user.deleted']);
  });
});

describe('identity routes: roles', () => {
  it('a custom role is created, granted, protected while in use, then deleted', async () => {
    const { tenant, caller } = await tenantWithOwner();
    const member = await seedUser(tables, tenant);

    const created = await call(caller, 'POST', '/v1/roles', {
      name: 'Ops',
      permissions: ['jobs:read', 'webhooks:read'],
    });
    const roleId = String(created.body.id);
    await call(caller, 'PATCH', `/v1/users/${member.userId}`, { roles: ['member', roleId] });
    const inUse = await call(caller, 'DELETE', `/v1/roles/${roleId}`);
    await call(caller, 'PATCH', `/v1/users/${member.userId}`, { roles: ['member'] });
    const deleted = await call(caller, 'DELETE', `/v1/roles/${roleId}`);
    const gone = await call(caller, 'GET', `/v1/roles/${roleId}`);

    expect([created.status, created.body.builtIn]).toEqual([201, false]);
    expect([inUse.status, inUse.body.code]).toEqual([409, 'role_in_use']);
    expect([deleted.status, gone.status]).toEqual([204, 404]);
  });

  it('built-in roles lead the list and are read-only', async () => {
    const { caller } = await tenantWithOwner();

    const list = await call(caller, 'GET', '/v1/roles');
    const patch = await call(caller, 'PATCH', '/v1/roles/admin', { name: 'Boss' });

    expect((list.body.items as Array<{ id: string }>).map((r) => r.id)).toEqual([
      'owner',
      'admin',
      'member',
      'auditor',
      'billing',
    ]);
    expect([patch.status, patch.body.code]).toEqual([409, 'built_in_role']);
  });

  it('nobody writes into a role, or grants a role with, a permission they lack', async () => {
    const { tenant } = await tenantWithOwner();
    const limited = await seedUser(tables, tenant, { roles: ['member'] });
    const caller = {
      ...userCaller(limited),
      permissions: new Set(['roles:write', 'users:write', 'users:read']),
    };

    const role = await call(caller, 'POST', '/v1/roles', { name: 'Hook', permissions: ['webhooks:secrets'] });
    const grant = await call(caller, 'PATCH', `/v1/users/${limited.userId}`, { roles: ['admin'] });

    expect([role.status, role.body.code]).toEqual([403, 'permission_not_held']);
    expect([grant.status, grant.body.code]).toEqual([403, 'permission_not_held']);
  });

  it('a role change granting what the caller lacks writes nothing; one within what they hold goes through', async () => {
    const { tenant } = await tenantWithOwner();
    const target = await seedUser(tables, tenant, { roles: ['member'] });
    const limited = await seedUser(tables, tenant, { roles: ['member'] });
    const caller = {
      ...userCaller(limited),
      permissions: new Set(['users:write', 'users:read', 'tenant:read', 'billing:read']),
    };

    const refused = await call(caller, 'PATCH', `/v1/users/${target.userId}`, { roles: ['admin'] });
    const after = await call(caller, 'GET', `/v1/users/${target.userId}`);
    const granted = await call(caller, 'PATCH', `/v1/users/${target.userId}`, { roles: ['billing'] });

    expect([refused.status, refused.body.code]).toEqual([403, 'permission_not_held']);
    expect(after.body.roles).toEqual(['member']);
    expect([granted.status, granted.body.roles]).toEqual([200, ['billing']]);
  });

  it('nobody adds to a custom role that users hold a permission they lack; a holder of it may', async () => {
    const { tenant, caller: owner } = await tenantWithOwner();
    const created = await call(owner, 'POST', '/v1/roles', { name: 'Ops', permissions: ['jobs:read'] });
    const roleId = String(created.body.id);
    const holder = await seedUser(tables, tenant, { roles: ['member'] });
    await call(owner, 'PATCH', `/v1/users/${holder.userId}`, { roles: ['member', roleId] });
    const limited = await seedUser(tables, tenant, { roles: ['member'] });
    const caller = {
      ...userCaller(limited),
      permissions: new Set(['roles:write', 'roles:read', 'jobs:read']),
    };

    const refused = await call(caller, 'PATCH', `/v1/roles/${roleId}`, {
      permissions: ['jobs:read', 'api-keys:write'],
    });
    const unchanged = await call(owner, 'GET', `/v1/roles/${roleId}`);
    const created2 = await call(caller, 'POST', '/v1/roles', { name: 'Jobs', permissions: ['jobs:read'] });
    const widened = await call(owner, 'PATCH', `/v1/roles/${roleId}`, {
      permissions: ['jobs:read', 'api-keys:write'],
    });

    expect([refused.status, refused.body.code, refused.body.permissions]).toEqual([
      403,
      'permission_not_held',
      ['api-keys:write'],
    ]);
    expect(unchanged.body.permissions).toEqual(['jobs:read']);
    expect(created2.status).toBe(201);
    expect(widened.body.permissions).toEqual(['jobs:read', 'api-keys:write']);
  });

  it('granting a custom role that does not exist is a field error', async () => {
    const { tenant, caller } = await tenantWithOwner();
    const member = await seedUser(tables, tenant);

    const res = await call(caller, 'PATCH', `/v1/users/${member.userId}`, {
      roles: ['role_01JD0000000000000000000999'],
    });

    expect([res.status, (res.body.errors as Array<{ code: string }>)[0]?.code]).toEqual([
      400,
      'unknown_role',
    ]);
  });
});

describe('identity routes: sessions and settings', () => {
  async function seedSession(user: UserItem) {
    const session = newSession({
      tenantId: user.tenantId,
      userId: user.userId,
      sessionId: randomUUID(),
      authTime: Math.floor(Date.now() / 1000) - 60,
      userAgent: 'Mozilla/5.0',
      ip: '198.51.100.7',
      now: new Date(),
    });
    await tables.entities.session.create(session).go();
    return session;
  }

  it("an admin signs a user out everywhere: their sessions are gone from the list and the pool's tokens too", async () => {
    const { tenant, caller } = await tenantWithOwner();
    const member = await seedUser(tables, tenant);
    await seedSession(member);
    await seedSession(member);

    const before = await call(caller, 'GET', `/v1/users/${member.userId}/sessions`);
    const revoked = await call(caller, 'POST', `/v1/users/${member.userId}/sessions/revoke-all`);
    const after = await call(caller, 'GET', `/v1/users/${member.userId}/sessions`);

    expect((before.body.items as unknown[]).length).toBe(2);
    expect([revoked.status, revoked.body.revoked]).toEqual([200, 2]);
    expect(after.body.items).toEqual([]);
    expect(userPool.calls).toContain(`signOut ${member.userId}`);
  });

  it('a user sees their own sessions, the current one marked, and revokes another', async () => {
    const { owner } = await tenantWithOwner();
    const current = await seedSession(owner);
    const other = await seedSession(owner);
    const caller = userCaller(owner, { sessionId: current.sessionId });

    const list = await call(caller, 'GET', '/v1/me/sessions');
    const revoke = await call(caller, 'DELETE', `/v1/me/sessions/${other.sessionId}`);
    const after = await call(caller, 'GET', '/v1/me/sessions');

    const items = list.body.items as Array<{ id: string; current: boolean }>;
    expect(items.find((s) => s.id === current.sessionId)?.current).toBe(true);
    expect(items.find((s) => s.id === other.sessionId)?.current).toBe(false);
    expect(revoke.status).toBe(204);
    expect((after.body.items as Array<{ id: string }>).map((s) => s.id)).toEqual([current.sessionId]);
  });

  it("a person lists the tenants they are an active user of, the token's own marked, and no one else's", async () => {
    const { tenant: home, owner } = await tenantWithOwner();
    const other = await seedTenant(tables, { name: 'Globex', status: 'suspended' });
    const left = await seedTenant(tables);
    const stranger = await seedTenant(tables);
    await seedUser(tables, other, { userId: owner.userId, email: owner.email, roles: ['member'] });
    await seedUser(tables, left, { userId: owner.userId, email: owner.email, status: 'deactivated' });
    await seedUser(tables, stranger, { email: owner.email });

    const listed = await call(userCaller(owner, { mfaPending: true }), 'GET', '/v1/me/tenants');

    expect(listed.status).toBe(200);
    const items = listed.body.items as Array<Record<string, unknown>>;
    expect(items.sort((a, b) => String(a.tenantId).localeCompare(String(b.tenantId)))).toEqual(
      [
        {
          tenantId: home.tenantId,
          tenantName: home.name,
          tenantStatus: 'active',
          roles: ['owner'],
          current: true,
        },
        {
          tenantId: other.tenantId,
          tenantName: 'Globex',
          tenantStatus: 'suspended',
          roles: ['member'],
          current: false,
        },
      ].sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
    );
  });

  it('requiring MFA starts the grace period and emits identity_settings.updated', async () => {
    const { tenant, caller } = await tenantWithOwner();

    const before = await call(caller, 'GET', '/v1/settings/identity');
    const patched = await call(caller, 'PATCH', '/v1/settings/identity', {
      mfaPolicy: 'required',
      mfaGraceDays: 2,
    });
    const after = await call(caller, 'GET', '/v1/settings/identity');

    expect(before.body).toEqual({
      mfaPolicy: 'optional',
      mfaGraceDays: 0,
      invitationExpiryDays: 7,
      ssoPolicy: 'optional',
    });
    expect(patched.status).toBe(200);
    expect(after.body).toMatchObject({ mfaPolicy: 'required', mfaGraceDays: 2 });
    expect(after.body.mfaRequiredSince).toBeDefined();
    expect(await eventTypes(tables, tenant.tenantId)).toEqual(['identity_settings.updated']);
  });

  it('an API key with the permission administers users but has no /v1/me', async () => {
    const { tenant } = await tenantWithOwner();
    const key = tenantCaller(['users:read', 'self:read'], tenant.tenantId);

    const list = await call(key, 'GET', '/v1/users');
    const me = await call(key, 'GET', '/v1/me');

    expect(list.status).toBe(200);
    expect([me.status, me.body.code]).toEqual([403, 'user_credential_required']);
  });
});
