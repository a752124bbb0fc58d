// Lambda entry of the tenants context: clients and dependencies built once per container, then the
// shared HTTP pipeline over this context's routes, which loads the keys they read.
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { createKeyRings } from '../../libs/config/key-ring.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createTenantEntities } from './entities.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
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
const logger = new Logger({ serviceName: 'tenants' });
const keys = createKeyRings(['cursor', 'idempotency', 'mail'], { region: config.region, logger });
const deps: TenantsDeps = {
  store: createTenantStore(entities),
  config,
  cursors: createCursorCodec(keys.cursor.keys),
  mailBox: createKeySetBox(keys.mail.keys),
};

export const api = createApiHandler({
  serviceName: 'tenants',
  logger,
  routes: [...tenantRoutes(deps), ...apiKeyRoutes(deps), ...ownTenantRoutes(deps)],
  keys: Object.values(keys),
  idempotency: { client: dynamodb, tableName: config.tableName, responseKeys: keys.idempotency.keys },
});
