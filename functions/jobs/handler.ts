// Lambda entries of the jobs context: the job routes, the stream consumer that queues new jobs, and
// the worker that runs them one message at a time (a failing job is retried, then parked in the DLQ).
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDynamoDbClient, createSqsClient } from '../../libs/aws/clients.ts';
import { createFunctionMetrics } from '../../libs/aws/telemetry.ts';
import { createKeyRings, keysLoaded } from '../../libs/config/key-ring.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import { enqueueJobs } from './enqueue.ts';
import { manifest } from './manifest.ts';
import { createJobRunners } from './registry.ts';
import { jobRoutes } from './routes/jobs.ts';
import { runJob } from './run.ts';
import { parseJobMessage } from './runners.ts';
import { createJobStore } from './store.ts';

const config = loadRuntimeConfig();
const dynamodb = createDynamoDbClient(config.region);
const sqs = createSqsClient(config.region);
const entities = createEntities({
  client: dynamodb,
  tableName: config.tableName,
  directoryTableName: config.directoryTableName,
});
const store = createJobStore(entities);
const logger = new Logger({ serviceName: 'jobs' });
const maxReceiveCount = manifest.queues?.find((q) => q.name === 'jobs')?.maxReceiveCount ?? 5;
const keys = createKeyRings(['cursor', 'mail'], { region: config.region, logger });
// One per export: in one process (the local runtime) each publishes its own function's metrics.
const metrics = {
  enqueue: createFunctionMetrics('jobs', { logger }),
  worker: createFunctionMetrics('jobs', { logger }),
};
const runners = createJobRunners({ config, dynamodb, sqs, mailBox: createKeySetBox(keys.mail.keys) });

export const api = createApiHandler({
  serviceName: 'jobs',
  routes: jobRoutes({ store, cursors: createCursorCodec(keys.cursor.keys) }),
  keys: [keys.cursor],
});

export const enqueue = middy(async (event: DynamoDBStreamEvent) => {
  if (!config.jobsQueueUrl) throw new Error('JOBS_QUEUE_URL is not set');
  return enqueueJobs(event, { sqs, queueUrl: config.jobsQueueUrl });
})
  .use(metrics.enqueue.middlewares)
  .use(injectLambdaContext(logger));

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseJobMessage(record.body);
  logger.appendKeys({ tenantId: message.tenantId, jobId: message.jobId });
  await runJob(
    message,
    { receiveCount: Number(record.attributes.ApproximateReceiveCount), maxReceiveCount },
    { store, runners },
  );
}

// A processor per invocation: the local runtime runs several invocations of one function at once.
export const worker = middy(async (event: SQSEvent) =>
  processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
    throwOnFullBatchFailure: false,
  }).then((response) => {
    metrics.worker.count('JobMessagesFailed', response.batchItemFailures.length);
    metrics.worker.count('JobMessagesDone', event.Records.length - response.batchItemFailures.length);
    return response;
  }),
)
  .use(metrics.worker.middlewares)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(keysLoaded([keys.mail]));
