// Stored items as the tenants context writes them, for tests that fake or seed the table.
import { generateApiKey } from '../../libs/auth/api-key.ts';
import type { ApiKeyItem, TenantItem } from '../../libs/data/entities.ts';
import { fillKey, primaryKeys } from '../../libs/data/primary-keys.ts';

export const sampleTenantId = 'ten_01JD0000000000000000000000';

export function tenantItem(overrides: Partial<TenantItem> = {}): TenantItem {
  return {
    tenantId: sampleTenantId,
    slug: 'acme',
    name: 'Acme',
    plan: 'starter',
    homeRegion: 'us-east-1',
    status: 'active',
    activeApiKeys: 1,
    activeUsers: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A fresh key: the token a caller sends and the item stored for it. */
export function apiKeyFixture(
  owner: { kind: 'tenant'; tenantId: string } | { kind: 'platform' } = {
    kind: 'tenant',
    tenantId: sampleTenantId,
  },
  overrides: Partial<ApiKeyItem> = {},
): { token: string; item: ApiKeyItem } {
  const generated = generateApiKey(owner);
  const item: ApiKeyItem = {
    ownerId: owner.kind === 'tenant' ? owner.tenantId : 'platform',
    keyId: generated.keyId,
    name: 'k',
    scopes: ['tenant:read'],
    prefix: generated.prefix,
    secretHash: generated.secretHash,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'test',
    ...overrides,
  };
  return { token: generated.key, item };
}

/** The raw DynamoDB item: keys and ElectroDB's entity markers around the attributes. */
export function storedTenant(item: TenantItem): Record<string, unknown> {
  const values = { tenantId: item.tenantId };
  return {
    pk: fillKey(primaryKeys.tenant.pk, values),
    sk: fillKey(primaryKeys.tenant.sk, values),
    __edb_e__: 'tenant',
    __edb_v__: '1',
    ...item,
  };
}

export function storedApiKey(item: ApiKeyItem): Record<string, unknown> {
  const values = { ownerId: item.ownerId, keyId: item.keyId };
  return {
    pk: fillKey(primaryKeys.apiKey.pk, values),
    sk: fillKey(primaryKeys.apiKey.sk, values),
    __edb_e__: 'apiKey',
    __edb_v__: '1',
    ...item,
  };
}
