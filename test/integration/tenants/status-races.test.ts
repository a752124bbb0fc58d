// Two status changes of one tenant at once, over the platform routes and DynamoDB Local: the one
// whose read went stale before it wrote gets 409 concurrent_update, and only the winner's event is
// written. The race is ordered, not hoped for: the losing side's writes wait until the winner is done.
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { platformPermissions } from '../../../libs/auth/permissions.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { createTenantEntities } from '../../../functions/tenants/entities.ts';
import { tenantRoutes } from '../../../functions/tenants/routes/tenants.ts';
import { createTenantStore, type TenantStore } from '../../../functions/tenants/store.ts';
import { functionEnv } from '../../support/function-env.ts';
import { holdWrites } from '../../support/held-writes.ts';
import { createTestTables, type TestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, platformCaller } from '../../unit/http/api-events.ts';
import { testMailBox } from '../../support/mail.ts';

let tables: TestTables;
let store: TenantStore;

beforeAll(async () => {
  tables = await createTestTables();
  store = createTenantStore(createTenantEntities(tables));
});

function apiOn(client: TestTables['client']): ApiHandler {
  const config = loadRuntimeConfig(
    functionEnv({ TABLE_NAME: tables.tableName, DIRECTORY_TABLE_NAME: tables.directoryTableName }),
  );
  return createApiHandler({
    serviceName: 'tenants',
    logger: new Logger({ logLevel: 'SILENT' }),
    routes: tenantRoutes({
      store: createTenantStore(createTenantEntities({ ...tables, client })),
      config,
      cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
      mailBox: testMailBox,
    }),
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });
}

async function call(api: ApiHandler, path: string, body?: unknown) {
  const caller = platformCaller([...platformPermissions]);
  const res = await api(apiEvent({ method: 'POST', path, caller, body }), lambdaContext());
  return { status: res.statusCode, body: json(res.body) };
}

let slugs = 0;
async function tenantIn(status: 'active' | 'suspended'): Promise<string> {
  const actor = { type: 'platform_admin', id: 'key_admin' };
  slugs += 1;
  const tenant = await store.createTenant(
    { name: 'Racing', slug: `racing-${slugs}`, plan: 'starter', homeRegion: 'us-east-1' },
    actor,
  );
  if (status === 'suspended') await store.changeStatus(tenant, 'suspended', 'unpaid', actor);
  return tenant.tenantId;
}

async function eventTypesOf(tenantId: string): Promise<string[]> {
  return (await store.listEvents(tenantId, { limit: 20 })).items.map((e) => e.type).sort();
}

describe('concurrent tenant status changes', () => {
  it.each([
    { action: 'suspend', from: 'active', body: { reason: 'unpaid' }, event: 'tenant.suspended' },
    { action: 'resume', from: 'suspended', body: undefined, event: 'tenant.resumed' },
  ] as const)(
    'two $action calls read the tenant $from: one wins, the other is 409 and writes no event',
    async ({ action, from, body, event }) => {
      const tenantId = await tenantIn(from);
      const path = `/v1/platform/tenants/${tenantId}/${action}`;
      const before = await eventTypesOf(tenantId);
      const late = holdWrites(tables.endpoint);

      const losing = call(apiOn(late.client), path, body);
      await late.waiting;
      const winner = await call(apiOn(tables.client), path, body);
      late.release();
      const loser = await losing;

      expect(winner.status).toBe(200);
      expect([loser.status, loser.body.code]).toEqual([409, 'concurrent_update']);
      expect(await eventTypesOf(tenantId)).toEqual([...before, event].sort());
    },
  );
});
