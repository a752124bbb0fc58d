// Lambda entry of the SSO context: clients and dependencies built once per container, then the
// shared HTTP pipeline over this context's routes, which loads the keys they read.
import { Logger } from '@aws-lambda-powertools/logger';
import { createCognitoUserPool } from '../../libs/auth/pool-users.ts';
import { createCognitoClient, createDynamoDbClient } from '../../libs/aws/clients.ts';
import { createKeyRings } from '../../libs/config/key-ring.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import { consoleUrlOf } from '../../libs/mail/console.ts';
import { createGuardedFetch } from '../../libs/net/guarded-fetch.ts';
import { loadSsoConfig } from './config.ts';
import type { SsoDeps } from './context.ts';
import { createTxtLookup } from './domains.ts';
import { createSsoEntities } from './entities.ts';
import { connectionRoutes } from './routes/connections.ts';
import { domainRoutes } from './routes/domains.ts';
import { platformRoutes } from './routes/platform.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { createSignIn } from './sign-in.ts';
import { createSignInPool } from './sign-in-pool.ts';
import { createSignInStore } from './sign-in-store.ts';
import { createSsoStore } from './store.ts';

const config = loadSsoConfig();
const { runtime } = config;
const dynamodb = createDynamoDbClient(runtime.region);
const cognito = createCognitoClient(runtime.region);
const logger = new Logger({ serviceName: 'sso' });
const keys = createKeyRings(['cursor', 'idempotency', 'ssoSecret'], { region: runtime.region, logger });
const entities = createSsoEntities({
  client: dynamodb,
  tableName: runtime.tableName,
  directoryTableName: runtime.directoryTableName,
});
const store = createSsoStore(entities);
const signIns = createSignInStore(entities);
const pool = createSignInPool(cognito, config.userPoolId, config.signInClientId);
const consoleUrl = consoleUrlOf(runtime.deployment);
const clock = () => new Date();
const cursors = createCursorCodec(keys.cursor.keys);
const secretBox = createKeySetBox(keys.ssoSecret.keys);
const oidcTransport = { fetch: createGuardedFetch(config.guard), allowHttp: config.guard.local };
const deps: SsoDeps = {
  store,
  lookupTxt: createTxtLookup(config.dnsServers),
  runtime,
  cursors,
  maxDomainsPerTenant: 50,
  maxConnectionsPerTenant: 10,
  secretBox,
  oidcTransport,
};
const signIn = createSignIn({
  store,
  signIns,
  entities,
  oidc: { secretBox, transport: oidcTransport },
  poolUsers: createCognitoUserPool(cognito, config.userPoolId),
  setPoolName: (username, name) => pool.setName(username, name),
  deployment: runtime.deployment,
  redirectOrigins: [new URL(consoleUrl).origin],
  defaultRedirect: consoleUrl,
  logger,
  clock,
});

export const api = createApiHandler({
  serviceName: 'sso',
  logger,
  routes: [
    ...connectionRoutes(deps),
    ...domainRoutes(deps),
    ...signInRoutes({ store, signIns, signIn, pool, entities, cursors, clock }),
    ...platformRoutes(deps, signIns),
  ],
  keys: Object.values(keys),
  idempotency: { client: dynamodb, tableName: runtime.tableName, responseKeys: keys.idempotency.keys },
});
