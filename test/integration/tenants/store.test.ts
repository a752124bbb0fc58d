// The tenants store against a real DynamoDB (Local): transactions, conditions and the outbox items.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenantEntities } from '../../../functions/tenants/entities.ts';
import { generateApiKey } from '../../../libs/auth/api-key.ts';
import { ownerInvitationWrites } from '../../../functions/invitations/owner.ts';
import { createTenantStore, type TenantStore } from '../../../functions/tenants/store.ts';
import { createTestTables } from '../../support/tables.ts';
import { problemOf } from '../../support/problems.ts';
import { testMailBox } from '../../support/mail.ts';

const actor = { type: 'platform_admin', id: 'key_admin' };
let store: TenantStore;
let entities: ReturnType<typeof createTenantEntities>;

beforeAll(async () => {
  const tables = await createTestTables();
  entities = createTenantEntities({
    client: tables.client,
    tableName: tables.tableName,
    directoryTableName: tables.directoryTableName,
  });
  store = createTenantStore(entities);
});

function newTenant(slug: string) {
  return store.createTenant(
    { name: `Tenant ${slug}`, slug, plan: 'starter', homeRegion: 'us-east-1' },
    actor,
  );
}

describe('tenants store', () => {
  it('creating a tenant writes the tenant, its directory entry, its slug claim and a tenant.created event together', async () => {
    const tenant = await newTenant('store-create');

    const [dir, claim, events] = await Promise.all([
      entities.directoryTenant.get({ tenantId: tenant.tenantId }).go(),
      entities.slugClaim.get({ slug: 'store-create' }).go(),
      store.listEvents(tenant.tenantId, { limit: 10 }),
    ]);
    expect(dir.data).toMatchObject({ slug: 'store-create', homeRegion: 'us-east-1', status: 'active' });
    expect(claim.data?.tenantId).toBe(tenant.tenantId);
    expect(events.items.map((e) => e.type)).toEqual(['tenant.created']);
  });

  it('a tenant created with an owner gets the owner invitation, its mail and its event in the same write', async () => {
    const tenant = await store.createTenant(
      { name: 'Owned', slug: 'store-owned', plan: 'starter', homeRegion: 'us-east-1' },
      actor,
      (created, now) =>
        ownerInvitationWrites({
          tenantId: created.tenantId,
          tenantName: created.name,
          email: 'Founder@Example.com',
          now,
          expiryDays: 7,
          consoleUrl: 'http://localhost:5173',
          mailBox: testMailBox,
          actor,
        }),
    );

    const [invitations, mail, events] = await Promise.all([
      entities.invitation.query.byId({ tenantId: tenant.tenantId }).go(),
      entities.mail.query.byTenant({ tenantId: tenant.tenantId }).go(),
      store.listEvents(tenant.tenantId, { limit: 10 }),
    ]);
    expect(invitations.data).toEqual([
      expect.objectContaining({ email: 'founder@example.com', roles: ['owner'], status: 'pending' }),
    ]);
    expect(mail.data.map((m) => m.to)).toEqual(['founder@example.com']);
    expect(events.items.map((e) => e.type).sort()).toEqual(['invitation.created', 'tenant.created']);
  });

  it('a taken slug is a 409 slug_taken and writes nothing', async () => {
    await newTenant('store-dup');
    const before = await store.listTenants({}, { limit: 100 });

    const problem = await problemOf(newTenant('store-dup'));

    expect(problem.code).toBe('slug_taken');
    expect((await store.listTenants({}, { limit: 100 })).items.length).toBe(before.items.length);
  });

  it('suspending changes the tenant and the directory and emits tenant.suspended; a stale transition fails', async () => {
    const tenant = await newTenant('store-suspend');

    await store.changeStatus(tenant, 'suspended', 'unpaid', actor);
    const stale = await problemOf(store.changeStatus(tenant, 'suspended', 'again', actor));

    expect(stale.code).toBe('concurrent_update');
    expect((await store.getTenant(tenant.tenantId))?.status).toBe('suspended');
    expect((await entities.directoryTenant.get({ tenantId: tenant.tenantId }).go()).data?.status).toBe(
      'suspended',
    );
    const events = await store.listEvents(tenant.tenantId, { limit: 10 });
    expect(events.items.map((e) => e.type)).toEqual(['tenant.suspended', 'tenant.created']);
  });

  it('lists tenants by status, newest first, page by page', async () => {
    const a = await newTenant('store-page-a');
    const b = await newTenant('store-page-b');
    await store.changeStatus(a, 'suspended', 'x', actor);
    await store.changeStatus(b, 'suspended', 'x', actor);

    const first = await store.listTenants({ status: 'suspended' }, { limit: 1 });
    const second = await store.listTenants(
      { status: 'suspended' },
      { limit: 1, position: first.position ?? undefined },
    );

    expect(first.items[0]?.tenantId).toBe(b.tenantId);
    expect(second.items[0]?.tenantId).toBe(a.tenantId);
  });

  it('the plan key limit is enforced in the key-creating transaction, and revoking frees a slot', async () => {
    const tenant = await newTenant('store-keys');
    const k1 = generateApiKey({ kind: 'tenant', tenantId: tenant.tenantId });
    const k2 = generateApiKey({ kind: 'tenant', tenantId: tenant.tenantId });
    await store.createApiKey(tenant.tenantId, k1, { name: 'one', scopes: ['tenant:read'] }, 1, actor);

    const full = await problemOf(
      store.createApiKey(tenant.tenantId, k2, { name: 'two', scopes: [] }, 1, actor),
    );
    expect(full.code).toBe('plan_limit_reached');
    expect((await store.listApiKeys(tenant.tenantId, { limit: 10 })).items).toHaveLength(1);

    await store.revokeApiKey(tenant.tenantId, k1.keyId, actor);
    await store.createApiKey(tenant.tenantId, k2, { name: 'two', scopes: [] }, 1, actor);
    expect((await store.getTenant(tenant.tenantId))?.activeApiKeys).toBe(1);
  });

  it("revoking another tenant's key is a 404", async () => {
    const a = await newTenant('store-own-a');
    const b = await newTenant('store-own-b');
    const key = generateApiKey({ kind: 'tenant', tenantId: a.tenantId });
    await store.createApiKey(a.tenantId, key, { name: 'a', scopes: [] }, 5, actor);

    const problem = await problemOf(store.revokeApiKey(b.tenantId, key.keyId, actor));

    expect(problem.status).toBe(404);
  });
});
