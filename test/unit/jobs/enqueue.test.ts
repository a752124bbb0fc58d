import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { enqueueJobs } from '../../../functions/jobs/enqueue.ts';

const queueUrl = 'http://sqs.local/000000000000/plinth-jobs';

function record(sequenceNumber: string, item: Record<string, unknown>): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: sequenceNumber,
      NewImage: marshall(item) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    },
  };
}

const job = (id: string) => ({ __edb_e__: 'job', jobId: id, tenantId: 'ten_1', kind: 'invitations.bulk' });

describe('queueing new jobs from the table stream', () => {
  it('sends one message per new job item and ignores other items', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({});
    const event: DynamoDBStreamEvent = {
      Records: [
        record('1', job('job_a')),
        record('2', { __edb_e__: 'event', eventId: 'e' }),
        record('3', job('job_b')),
      ],
    };

    const result = await enqueueJobs(event, { sqs: new SQSClient({}), queueUrl });

    expect(result.batchItemFailures).toEqual([]);
    const bodies = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageBody!) as unknown);
    expect(bodies).toEqual([
      { jobId: 'job_a', tenantId: 'ten_1', kind: 'invitations.bulk' },
      { jobId: 'job_b', tenantId: 'ten_1', kind: 'invitations.bulk' },
    ]);
  });

  it('reports the first job it could not queue, so it and the rest come again', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolvesOnce({}).rejects(new Error('throttled'));

    const result = await enqueueJobs(
      { Records: [record('1', job('job_a')), record('2', job('job_b')), record('3', job('job_c'))] },
      { sqs: new SQSClient({}), queueUrl },
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });
});
