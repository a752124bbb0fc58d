// Tables, a tenant and users for the identity integration tests, written as the contexts write them.
import { createEntities, type TenantItem } from '../../../libs/data/entities.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { userItem } from '../../support/users.ts';
import {
  createIdentityStoreEntities,
  type IdentityStoreEntities,
} from '../../../functions/identity/store-entities.ts';
import { createTestTables, type TestTables } from '../../support/tables.ts';
import { tenantItem } from '../../support/items.ts';

export interface IdentityTables extends TestTables {
  entities: IdentityStoreEntities;
  events: ReturnType<typeof createEntities>['event'];
}

export async function createIdentityTables(): Promise<IdentityTables> {
  const tables = await createTestTables();
  return { ...tables, entities: createIdentityStoreEntities(tables), events: createEntities(tables).event };
}

let tenantSequence = 0;

export async function seedTenant(
  tables: IdentityTables,
  overrides: Partial<TenantItem> = {},
): Promise<TenantItem> {
  tenantSequence += 1;
  const tenant = tenantItem({
    tenantId: `ten_01JD${String(tenantSequence).padStart(22, '0')}`,
    slug: `t${tenantSequence}`,
    ...overrides,
  });
  await tables.entities.tenant.create(tenant).go();
  return tenant;
}

export async function seedUser(
  tables: IdentityTables,
  tenant: TenantItem,
  overrides: Partial<UserItem> = {},
): Promise<UserItem> {
  const user = userItem(tenant.tenantId, overrides);
  await tables.entities.user.create(user).go();
  await tables.entities.tenant.patch({ tenantId: tenant.tenantId }).add({ activeUsers: 1 }).go();
  return user;
}

/** The tenant's event types, newest first. */
export async function eventTypes(tables: IdentityTables, tenantId: string): Promise<string[]> {
  const { data } = await tables.events.query.byTenant({ tenantId }).go({ order: 'desc', pages: 'all' });
  return data.map((e) => e.type);
}
