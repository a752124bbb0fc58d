// Lambda entry of the tenants context: clients and dependencies built once per container, then the
// shared HTTP pipeline over this context's routes.
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { createTenantEntities } from './entities.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec, resolveCursorSecret } from '../../libs/http/cursor.ts';
import type { TenantsDeps } from './context.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { ownTenantRoutes } from './routes/own-tenant.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { createTenantStore } from './store.ts';

const config = loadRuntimeConfig();
const dynamodb = createDynamoDbClient(config.region);
const entities = createTenantEntities({
  client: dynamodb,
  tableName: config.tableName,
  directoryTableName: config.directoryTableName,
});
const cursorSecret = await resolveCursorSecret(config);
const deps: TenantsDeps = {
  store: createTenantStore(entities),
  config,
  cursors: createCursorCodec(cursorSecret),
};

export const api = createApiHandler({
  serviceName: 'tenants',
  routes: [...tenantRoutes(deps), ...apiKeyRoutes(deps), ...ownTenantRoutes(deps)],
  idempotency: { client: dynamodb, tableName: config.tableName, responseKey: cursorSecret },
});
