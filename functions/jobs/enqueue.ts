// Stream consumer of job items: a job written by a route's transaction is queued from here, so a
// committed job is never left unqueued and an aborted one is never run.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { JobMessage } from './runners.ts';

export async function enqueueJobs(
  event: DynamoDBStreamEvent,
  deps: { sqs: SQSClient; queueUrl: string },
): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!image || !sequenceNumber || record.eventName !== 'INSERT') continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.__edb_e__ !== 'job') continue;
    const message: JobMessage = {
      jobId: String(item.jobId),
      tenantId: String(item.tenantId),
      kind: String(item.kind),
    };
    try {
      await deps.sqs.send(
        new SendMessageCommand({ QueueUrl: deps.queueUrl, MessageBody: JSON.stringify(message) }),
      );
    } catch {
      // This record and every later one come again; a job queued twice runs once (the worker skips finished jobs).
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}
