// Lambda entry of the SSO context: clients and dependencies built once per container, then the
// shared HTTP pipeline over this context's routes, which loads the keys they read.
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { createKeyRings } from '../../libs/config/key-ring.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import { loadSsoConfig } from './config.ts';
import type { SsoDeps } from './context.ts';
import { createTxtLookup } from './domains.ts';
import { createSsoEntities } from './entities.ts';
import { connectionRoutes } from './routes/connections.ts';
import { domainRoutes } from './routes/domains.ts';
import { createSsoStore } from './store.ts';

const config = loadSsoConfig();
const { runtime } = config;
const dynamodb = createDynamoDbClient(runtime.region);
const logger = new Logger({ serviceName: 'sso' });
const keys = createKeyRings(['cursor', 'idempotency'], { region: runtime.region, logger });
const entities = createSsoEntities({
  client: dynamodb,
  tableName: runtime.tableName,
  directoryTableName: runtime.directoryTableName,
});
const deps: SsoDeps = {
  store: createSsoStore(entities),
  lookupTxt: createTxtLookup(config.dnsServers),
  runtime,
  cursors: createCursorCodec(keys.cursor.keys),
  maxDomainsPerTenant: 50,
  maxConnectionsPerTenant: 10,
};

export const api = createApiHandler({
  serviceName: 'sso',
  logger,
  routes: [...connectionRoutes(deps), ...domainRoutes(deps)],
  keys: Object.values(keys),
  idempotency: { client: dynamodb, tableName: runtime.tableName, responseKeys: keys.idempotency.keys },
});
