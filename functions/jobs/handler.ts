// SQS consumer of the jobs queue: runs each job, reporting failures one message at a time so a bad
// job is retried and then parked in the DLQ without holding back the rest of its batch.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createJobDispatcher, jobRunners } from './runners.ts';

const logger = new Logger({ serviceName: 'jobs' });
const processor = new BatchProcessor(EventType.SQS);
const runJob = createJobDispatcher(jobRunners);

async function recordHandler(record: SQSRecord): Promise<void> {
  await runJob(record.body);
}

export const worker = middy(async (event: SQSEvent) =>
  processPartialResponse(event, recordHandler, processor, { throwOnFullBatchFailure: false }),
).use(injectLambdaContext(logger));
