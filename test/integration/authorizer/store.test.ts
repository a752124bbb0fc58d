// The authorizer reads the items the tenants context writes, by the same keys, without ElectroDB.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../../functions/authorizer/store.ts';
import { createTenantStore, type TenantStore } from '../../../functions/tenants/store.ts';
import { generateApiKey } from '../../../libs/auth/api-key.ts';
import { createTenantEntities } from '../../../functions/tenants/entities.ts';
import { createIdentityEntities, type IdentityEntities } from '../../../libs/data/identity-entities.ts';
import { createTestTables } from '../../support/tables.ts';

const actor = { type: 'platform_admin', id: 'key_admin' };
let tenants: TenantStore;
let credentials: ReturnType<typeof createCredentialStore>;
let identity: IdentityEntities;

beforeAll(async () => {
  const tables = await createTestTables();
  tenants = createTenantStore(
    createTenantEntities({
      client: tables.client,
      tableName: tables.tableName,
      directoryTableName: tables.directoryTableName,
    }),
  );
  credentials = createCredentialStore(tables.client, tables.tableName);
  identity = createIdentityEntities({ client: tables.client, tableName: tables.tableName });
});

describe('authorizer credential store', () => {
  it('finds the key and tenant the tenants context wrote, and records the key use', async () => {
    const tenant = await tenants.createTenant(
      { name: 'A', slug: 'authz-a', plan: 'starter', homeRegion: 'us-east-1' },
      actor,
    );
    const key = generateApiKey({ kind: 'tenant', tenantId: tenant.tenantId });
    await tenants.createApiKey(tenant.tenantId, key, { name: 'k', scopes: ['tenant:read'] }, 5, actor);

    const found = await credentials.reads.getApiKey(tenant.tenantId, key.keyId);
    const owner = await credentials.reads.getTenant(tenant.tenantId);
    expect(found?.secretHash).toBe(key.secretHash);
    expect(owner?.slug).toBe('authz-a');

    const at = new Date('2026-11-23T12:00:00.000Z');
    await credentials.recordUse(found!, at);
    const listed = await tenants.listApiKeys(tenant.tenantId, { limit: 10 });
    expect(listed.items[0]?.lastUsedAt).toBe(at.toISOString());
  });

  it('finds nothing for a key id under another tenant', async () => {
    const a = await tenants.createTenant(
      { name: 'B', slug: 'authz-b', plan: 'starter', homeRegion: 'us-east-1' },
      actor,
    );
    const b = await tenants.createTenant(
      { name: 'C', slug: 'authz-c', plan: 'starter', homeRegion: 'us-east-1' },
      actor,
    );
    const key = generateApiKey({ kind: 'tenant', tenantId: a.tenantId });
    await tenants.createApiKey(a.tenantId, key, { name: 'k', scopes: [] }, 5, actor);

    expect(await credentials.reads.getApiKey(b.tenantId, key.keyId)).toBeUndefined();
  });

  it('reads a user, their tenant and settings in one go, and opens a session the identity context can list', async () => {
    const tenant = await tenants.createTenant(
      { name: 'U', slug: 'authz-users', plan: 'starter', homeRegion: 'us-east-1' },
      actor,
    );
    const at = new Date('2026-11-23T12:00:00.000Z');
    await identity.user
      .create({
        tenantId: tenant.tenantId,
        userId: 'sub-7',
        email: 'grace@example.com',
        emailVerified: true,
        name: 'Grace',
        roles: ['admin'],
        status: 'active',
        mfaEnrolled: false,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
      })
      .go();

    const before = await credentials.userReads.getUserState(tenant.tenantId, 'sub-7', 'origin-7');
    expect([before.tenant?.slug, before.user?.email, before.settings, before.session]).toEqual([
      'authz-users',
      'grace@example.com',
      undefined,
      undefined,
    ]);

    const session = {
      tenantId: tenant.tenantId,
      userId: 'sub-7',
      sessionId: 'origin-7',
      userAgent: 'curl/8',
      ip: '203.0.113.1',
      authTime: Math.floor(at.getTime() / 1000) - 60,
    };
    await credentials.openSession(session, at);
    await credentials.openSession({ ...session, ip: '198.51.100.1' }, new Date(at.getTime() + 1000));

    const listed = await identity.session.query.byUser({ tenantId: tenant.tenantId, userId: 'sub-7' }).go();
    expect(listed.data).toEqual([
      expect.objectContaining({
        sessionId: 'origin-7',
        ip: '203.0.113.1',
        status: 'active',
        startedAt: new Date(at.getTime() - 60_000).toISOString(),
      }),
    ]);

    await identity.session
      .patch({ tenantId: tenant.tenantId, userId: 'sub-7', sessionId: 'origin-7' })
      .set({ status: 'revoked' })
      .go();
    await credentials.touchSession(listed.data[0]!, new Date(at.getTime() + 120_000), '198.51.100.2');
    const after = await credentials.userReads.getUserState(tenant.tenantId, 'sub-7', 'origin-7');
    expect([after.session?.status, after.session?.ip]).toEqual(['revoked', '203.0.113.1']);
  });
});
