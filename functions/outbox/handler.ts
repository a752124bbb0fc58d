// Stream consumer of the main table: publishes every outbox event item to the region's bus.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createEventBridgeClient } from '../../libs/aws/clients.ts';
import { createFunctionMetrics } from '../../libs/aws/telemetry.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { publishStreamBatch } from './publish.ts';

const config = loadRuntimeConfig();
const eventBridge = createEventBridgeClient(config.region);
const logger = new Logger({ serviceName: 'outbox' });
const metrics = createFunctionMetrics('outbox', { logger });

export const publish = middy(async (event: DynamoDBStreamEvent) => {
  const result = await publishStreamBatch(event, { eventBridge, busName: config.eventBusName });
  for (const failure of result.failures) {
    logger.warn('event not published; the stream will deliver it again', { ...failure });
  }
  metrics.count('EventsPublished', result.published);
  metrics.count('EventsNotPublished', result.failures.length);
  return result.response;
})
  .use(metrics.middlewares)
  .use(injectLambdaContext(logger));
