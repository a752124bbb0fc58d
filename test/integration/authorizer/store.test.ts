// The authorizer reads the items the tenants context writes, by the same keys, without ElectroDB.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../../functions/authorizer/store.ts';
import { createTenantStore, type TenantStore } from '../../../functions/tenants/store.ts';
import { generateApiKey } from '../../../libs/auth/api-key.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createTestTables } from '../../support/tables.ts';

const actor = { type: 'platform_admin', id: 'key_admin' };
let tenants: TenantStore;
let credentials: ReturnType<typeof createCredentialStore>;

beforeAll(async () => {
  const tables = await createTestTables();
  tenants = createTenantStore(
    createEntities({
      client: tables.client,
      tableName: tables.tableName,
      directoryTableName: tables.directoryTableName,
    }),
  );
  credentials = createCredentialStore(tables.client, tables.tableName);
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
});
