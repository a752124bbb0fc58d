// Lambda entry of the identity context: the user pool's triggers and the shared HTTP pipeline over
// this context's routes, with clients and dependencies built once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createCognitoClient, createDynamoDbClient } from '../../libs/aws/clients.ts';
import { createKeyRings } from '../../libs/config/key-ring.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { assembleOnFirstRequest, createApiHandler, type ApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import type { IdentityDeps } from './context.ts';
import { loadIdentityEnv } from './env.ts';
import { meRoutes } from './routes/me.ts';
import { roleRoutes } from './routes/roles.ts';
import { settingsRoutes } from './routes/settings.ts';
import { userRoutes } from './routes/users.ts';
import { createIdentityStoreEntities } from './store-entities.ts';
import { createIdentityStore } from './store.ts';
import { createCustomAuthTriggers } from './custom-auth.ts';
import { createTriggers, type PreTokenGenerationEvent } from './triggers.ts';
import { createUserPool } from './user-pool.ts';

const config = loadRuntimeConfig();
const dynamodb = createDynamoDbClient(config.region);
const store = createIdentityStore(
  createIdentityStoreEntities({
    client: dynamodb,
    tableName: config.tableName,
    directoryTableName: config.directoryTableName,
  }),
);

const logger = new Logger({ serviceName: 'identity' });
const triggers = createTriggers({ store, logger, clock: () => new Date() });

/** A trigger with the invocation's context in its logs, and no keys left from the last one. */
const logged = <E, R>(trigger: (event: E) => Promise<R>) =>
  middy(trigger).use(injectLambdaContext(logger, { resetKeys: true }));

export const preTokenGeneration = logged<PreTokenGenerationEvent, PreTokenGenerationEvent>(
  triggers.preTokenGeneration,
);
export const preAuthentication = logged(triggers.preAuthentication);
export const postAuthentication = logged(triggers.postAuthentication);

const customAuth = createCustomAuthTriggers({ proofs: store, logger, clock: () => new Date() });
export const defineAuthChallenge = logged(customAuth.defineAuthChallenge);
export const createAuthChallenge = logged(customAuth.createAuthChallenge);
export const verifyAuthChallengeResponse = logged(customAuth.verifyAuthChallengeResponse);

/**
 * The routes also need the user pool's id and their keys. The trigger functions run this module
 * too but may not name the pool that invokes them, nor read the keys, so the API is assembled on
 * its first request.
 */
async function createIdentityApi(): Promise<ApiHandler> {
  const { userPoolId } = loadIdentityEnv();
  const keys = createKeyRings(['cursor', 'idempotency'], { region: config.region, logger });
  const deps: IdentityDeps = {
    store,
    userPool: createUserPool(createCognitoClient(config.region), userPoolId),
    config,
    cursors: createCursorCodec(keys.cursor.keys),
    clock: () => new Date(),
  };
  return Promise.resolve(
    createApiHandler({
      serviceName: 'identity',
      routes: [...meRoutes(deps), ...userRoutes(deps), ...roleRoutes(deps), ...settingsRoutes(deps)],
      keys: Object.values(keys),
      idempotency: { client: dynamodb, tableName: config.tableName, responseKeys: keys.idempotency.keys },
      logger,
    }),
  );
}

export const api: ApiHandler = assembleOnFirstRequest(createIdentityApi);
