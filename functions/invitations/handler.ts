// Lambda entries of the invitations context: clients and dependencies built once per container, then
// the shared HTTP pipeline over this context's routes, and the hourly sweep that records expiries.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { createDynamoDbClient, createCognitoClient } from '../../libs/aws/clients.ts';
import { createFunctionMetrics } from '../../libs/aws/telemetry.ts';
import { createKeyRings } from '../../libs/config/key-ring.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import { consoleUrlOf } from '../../libs/mail/console.ts';
import type { InvitationsDeps } from './context.ts';
import { createEmailChangeStore } from './email-change-store.ts';
import { createInvitationEntities } from './entities.ts';
import { invitationsEnvSchema } from './env.ts';
import { expireOverdueInvitations } from './expiry.ts';
import { acceptRoutes } from './routes/accept.ts';
import { emailRoutes } from './routes/email.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { createInvitationStore } from './store.ts';
import { createCognitoUserPool } from '../../libs/auth/pool-users.ts';

const poolEnv = invitationsEnvSchema.safeParse(process.env);
if (!poolEnv.success) {
  throw new Error(`invalid invitations function environment:\n${z.prettifyError(poolEnv.error)}`);
}

const config = loadRuntimeConfig();
const dynamodb = createDynamoDbClient(config.region);
const entities = createInvitationEntities({
  client: dynamodb,
  tableName: config.tableName,
  directoryTableName: config.directoryTableName,
});
const logger = new Logger({ serviceName: 'invitations' });
const keys = createKeyRings(['cursor', 'idempotency', 'mail'], { region: config.region, logger });
const deps: InvitationsDeps = {
  store: createInvitationStore(entities),
  emailChanges: createEmailChangeStore(entities),
  userPool: createCognitoUserPool(createCognitoClient(config.region), poolEnv.data.USER_POOL_ID),
  deployment: config.deployment,
  consoleUrl: consoleUrlOf(config.deployment),
  mailBox: createKeySetBox(keys.mail.keys),
  cursors: createCursorCodec(keys.cursor.keys),
  clock: () => new Date(),
};

export const api = createApiHandler({
  serviceName: 'invitations',
  logger,
  routes: [...invitationRoutes(deps), ...acceptRoutes(deps), ...emailRoutes(deps)],
  keys: Object.values(keys),
  idempotency: { client: dynamodb, tableName: config.tableName, responseKeys: keys.idempotency.keys },
});

const expiryMetrics = createFunctionMetrics('invitations', { logger });

export const expire = middy(async (_event: unknown, context: Context) => {
  const counts = await expireOverdueInvitations({
    entities,
    store: deps.store,
    clock: deps.clock,
    remainingMillis: () => context.getRemainingTimeInMillis(),
    onTenantError: (tenantId, error) =>
      logger.error('invitation expiry failed for a tenant', {
        tenantId,
        error: error instanceof Error ? error : String(error),
      }),
  });
  logger.info('invitation expiry sweep', { ...counts });
  expiryMetrics.count('InvitationSweepTenantsFailed', counts.failedTenants);
  if (!counts.complete)
    logger.warn('invitation expiry sweep ran out of time; the next run goes on', { ...counts });
  // Failing the invocation makes it visible; running again is safe, as recorded expiries are skipped.
  if (counts.failedTenants > 0) {
    throw new Error(`invitation expiry failed for ${counts.failedTenants} tenant(s)`);
  }
})
  .use(expiryMetrics.middlewares)
  .use(injectLambdaContext(logger, { resetKeys: true }));
