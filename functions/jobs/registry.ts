// The runner of every job kind, built once per container with the clients the runners need.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { bulkInvitationJobKind, createBulkInvitationRunner } from '../invitations/bulk.ts';
import { createDeliveryEntities } from '../webhooks/delivery-entities.ts';
import { createDeliveryStore } from '../webhooks/delivery-store.ts';
import { createWebhookEntities } from '../webhooks/entities.ts';
import { recoverJobKind } from '../webhooks/endpoints.ts';
import { createRecoverRunner } from '../webhooks/recover.ts';
import { createWebhookStore } from '../webhooks/store.ts';
import { jobsEnvSchema } from './env.ts';
import type { JobRunners } from './runners.ts';

export interface JobRunnerDeps {
  config: RuntimeConfig;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** Seals the mails bulk invitations write: the mail key. */
  mailBox: Pick<SecretBox, 'seal'>;
  env?: NodeJS.ProcessEnv;
}

export function createJobRunners(deps: JobRunnerDeps): JobRunners {
  const parsed = jobsEnvSchema.safeParse(deps.env ?? process.env);
  if (!parsed.success) throw new Error(`invalid jobs environment:\n${z.prettifyError(parsed.error)}`);
  const tables = { client: deps.dynamodb, tableName: deps.config.tableName };
  const shared = createEntities({ ...tables, directoryTableName: deps.config.directoryTableName });
  const deliveryEntities = createDeliveryEntities(tables);
  return {
    [bulkInvitationJobKind]: createBulkInvitationRunner({
      config: deps.config,
      dynamodb: deps.dynamodb,
      mailBox: deps.mailBox,
    }),
    [recoverJobKind]: createRecoverRunner({
      store: createDeliveryStore({
        entities: { ...deliveryEntities, tenant: shared.tenant },
        sqs: deps.sqs,
        deliveriesQueueUrl: parsed.data.WEBHOOK_DELIVERIES_QUEUE_URL,
        deployment: deps.config.deployment,
      }),
      endpoints: createWebhookStore({
        ...createWebhookEntities(tables),
        event: shared.event,
        job: shared.job,
      }),
    }),
  };
}
