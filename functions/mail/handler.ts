// Lambda entries of the mail context: the stream consumer that sends mail items through SES v2, and
// the consumer of the endpoint-disabled rule that writes notices for the tenant's owners and admins.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { createDynamoDbClient, createMailClient } from '../../libs/aws/clients.ts';
import { createFunctionMetrics } from '../../libs/aws/telemetry.ts';
import { createKeyRings, keysLoaded } from '../../libs/config/key-ring.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { createIdentityEntities } from '../../libs/data/identity-entities.ts';
import { consoleUrlOf } from '../../libs/mail/console.ts';
import { mailEntity } from '../../libs/mail/entity.ts';
import { mailEnvSchema } from './env.ts';
import { notifyEndpointDisabled as writeEndpointDisabledNotice } from './notices.ts';
import { sendMailBatch } from './send.ts';

const mailEnv = mailEnvSchema.safeParse(process.env);
if (!mailEnv.success)
  throw new Error(`invalid mail function environment:\n${z.prettifyError(mailEnv.error)}`);

const config = loadRuntimeConfig();
const dynamodb = createDynamoDbClient(config.region);
const ses = createMailClient(config.region);
const logger = new Logger({ serviceName: 'mail' });
const keys = createKeyRings(['mail'], { region: config.region, logger });
// One per export: in one process (the local runtime) each publishes its own function's metrics.
const metrics = {
  send: createFunctionMetrics('mail', { logger }),
  notify: createFunctionMetrics('mail', { logger }),
};
const mailBox = createKeySetBox(keys.mail.keys);
const table = { client: dynamodb, tableName: config.tableName };
const entities = {
  tenant: createEntities({ ...table, directoryTableName: config.directoryTableName }).tenant,
  user: createIdentityEntities(table).user,
  mail: mailEntity(config.tableName, dynamodb),
};

export const send = middy(async (event: DynamoDBStreamEvent) => {
  const result = await sendMailBatch(event, { ses, from: mailEnv.data.MAIL_FROM, box: mailBox });
  for (const item of result.malformed) logger.error('mail item cannot be sent; skipped', { item });
  metrics.send.count('MailSent', result.sent);
  metrics.send.count('MailSkipped', result.malformed.length);
  if (result.failure) {
    logger.warn('mail not sent; the stream will deliver it again', { ...result.failure });
    metrics.send.count('MailSendFailed');
  }
  return result.response;
})
  .use(metrics.send.middlewares)
  .use(injectLambdaContext(logger))
  .use(keysLoaded([keys.mail]));

export const notifyEndpointDisabled = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const recipients = await writeEndpointDisabledNotice(event.detail, {
    entities,
    consoleUrl: consoleUrlOf(config.deployment),
    mailBox,
  });
  logger.info('endpoint disabled notice written', { recipients });
  metrics.notify.count('NoticesWritten', recipients);
})
  .use(metrics.notify.middlewares)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(keysLoaded([keys.mail]));
