// Lambda entry of the SSO context: assembled on the first request, so a failing secret fetch fails
// that request (and is tried again on the next) instead of the cold start.
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { assembleOnFirstRequest, createApiHandler, type ApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec, resolveCursorSecret } from '../../libs/http/cursor.ts';
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

async function createSsoApi(): Promise<ApiHandler> {
  const cursorSecret = await resolveCursorSecret(runtime);
  const entities = createSsoEntities({
    client: dynamodb,
    tableName: runtime.tableName,
    directoryTableName: runtime.directoryTableName,
  });
  const deps: SsoDeps = {
    store: createSsoStore(entities),
    lookupTxt: createTxtLookup(config.dnsServers),
    runtime,
    cursors: createCursorCodec(cursorSecret),
    maxDomainsPerTenant: 50,
    maxConnectionsPerTenant: 10,
  };
  return createApiHandler({
    serviceName: 'sso',
    routes: [...connectionRoutes(deps), ...domainRoutes(deps)],
    idempotency: { client: dynamodb, tableName: runtime.tableName, responseKey: cursorSecret },
  });
}

export const api: ApiHandler = assembleOnFirstRequest(createSsoApi);
