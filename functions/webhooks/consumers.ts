// Lambda entries of the delivery engine: fan-out of bus events, delivery attempts and the sweeper.
// Clients and config are built once per container; queue consumers report failures per message.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createDynamoDbClient, createSchedulerClient, createSqsClient } from '../../libs/aws/clients.ts';
import { createFunctionMetrics, type FunctionMetrics } from '../../libs/aws/telemetry.ts';
import { createKeyRings, keysLoaded, type KeyRing } from '../../libs/config/key-ring.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { loadWebhooksConfig } from './config.ts';
import { createDeliveryQueue, parseDeliveryMessage } from './delays.ts';
import { deliverMessage, type DeliverDeps, type DeliverResult } from './deliver.ts';
import { createDeliveryEntities } from './delivery-entities.ts';
import { createDeliveryStore } from './delivery-store.ts';
import { createWebhookEntities } from './entities.ts';
import { fanOutEvent, parseBusEvent, type FanOutDeps } from './fanout.ts';
import { createRateLimiter } from './rate-limit.ts';
import { createWebhookStore } from './store.ts';
import { sweepOverdue } from './sweep.ts';

const config = loadWebhooksConfig();
const { runtime } = config;
const webhooks = runtime.deployment.webhooks;
const dynamodb = createDynamoDbClient(runtime.region);
const sqs = createSqsClient(runtime.region);
const tables = { client: dynamodb, tableName: runtime.tableName };
const shared = createEntities({ ...tables, directoryTableName: runtime.directoryTableName });
const deliveryEntities = createDeliveryEntities(tables);
const store = createDeliveryStore({
  entities: { ...deliveryEntities, tenant: shared.tenant },
  sqs,
  deliveriesQueueUrl: config.deliveriesQueueUrl,
  deployment: runtime.deployment,
});
const endpoints = createWebhookStore({
  ...createWebhookEntities(tables),
  event: shared.event,
  job: shared.job,
});
const queue = createDeliveryQueue({
  sqs,
  scheduler: createSchedulerClient(runtime.region),
  queueUrl: config.deliveriesQueueUrl,
  queueArn: config.deliveriesQueueArn,
  scheduleGroupName: config.scheduleGroupName,
  schedulerRoleArn: config.schedulerRoleArn,
});
// One logger per export: in one process (the local runtime) each keeps its own function's context.
const loggers = {
  fanout: new Logger({ serviceName: 'webhooks' }),
  deliver: new Logger({ serviceName: 'webhooks' }),
  sweep: new Logger({ serviceName: 'webhooks' }),
};
const metrics = {
  fanout: createFunctionMetrics('webhooks', { logger: loggers.fanout }),
  deliver: createFunctionMetrics('webhooks', { logger: loggers.deliver }),
  sweep: createFunctionMetrics('webhooks', { logger: loggers.sweep }),
};
// Only deliveries open signing secrets; the key is loaded by the first batch, not the cold start.
const keys = createKeyRings(['webhookSecret'], { region: runtime.region, logger: loggers.deliver });
const secretBox = createKeySetBox(keys.webhookSecret.keys);
const fanOutDeps: FanOutDeps = { store, endpoints, queue, webhooks };
const deliverDeps: DeliverDeps = {
  store,
  endpoints,
  queue,
  rateLimiter: createRateLimiter({ entities: deliveryEntities }),
  secretBox,
  webhooks,
  guard: config.guard,
};
const deliveryMetric: Record<DeliverResult, string> = {
  succeeded: 'DeliverySucceeded',
  retrying: 'DeliveryRetrying',
  failed: 'DeliveryFailed',
  rate_limited: 'DeliveryRateLimited',
  skipped: 'DeliverySkipped',
  endpoint_unavailable: 'DeliveryEndpointUnavailable',
};

/** An SQS consumer that fails only the messages whose handler threw, so the rest are not redone. */
function queueConsumer(
  logger: Logger,
  metrics: FunctionMetrics,
  handle: (record: SQSRecord) => Promise<void>,
  rings: readonly KeyRing[] = [],
) {
  return middy(async (event: SQSEvent) =>
    // A processor per invocation: records of one batch run in parallel and must not share state
    // with another invocation in the same process (the local runtime runs several at once).
    processPartialResponse(event, handle, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    }),
  )
    .use(metrics.middlewares)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(keysLoaded(rings));
}

export const fanout = queueConsumer(loggers.fanout, metrics.fanout, async (record) => {
  const event = parseBusEvent(record.body);
  const deliveries = await fanOutEvent(event, fanOutDeps);
  metrics.fanout.count('DeliveriesCreated', deliveries);
  loggers.fanout.debug('event fanned out', {
    tenantId: event.tenantId,
    eventId: event.id,
    type: event.type,
    deliveries,
  });
});

export const deliver = queueConsumer(
  loggers.deliver,
  metrics.deliver,
  async (record) => {
    const message = parseDeliveryMessage(record.body);
    const result = await deliverMessage(message, deliverDeps);
    // One metric per outcome: a bounded set, and no tenant or endpoint in it.
    metrics.deliver.count(deliveryMetric[result]);
    loggers.deliver.info('delivery attempt', { ...message, result });
  },
  [keys.webhookSecret],
);

export const sweep = middy(async () => {
  const requeued = await sweepOverdue({ store, webhooks });
  metrics.sweep.count('DeliveriesRequeued', requeued);
  if (requeued > 0) loggers.sweep.warn('re-queued deliveries whose messages were lost', { requeued });
})
  .use(metrics.sweep.middlewares)
  .use(injectLambdaContext(loggers.sweep, { resetKeys: true }));
