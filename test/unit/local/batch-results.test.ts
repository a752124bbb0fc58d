// How the local event source mappings read a consumer's answer: which SQS messages to delete, and
// where in a DynamoDB stream to resume.
import { describe, expect, it } from 'vitest';
import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { succeededMessageIds } from '../../../infra/local/queue-pollers.ts';
import { firstFailedSequence, streamFilterPatterns } from '../../../infra/local/stream-consumers.ts';
import { compileEventPattern } from '../../../infra/local/event-pattern.ts';

const sqsEvent = { Records: ['m1', 'm2', 'm3'].map((messageId) => ({ messageId })) } as SQSEvent;

describe('SQS partial batch responses', () => {
  it('deletes every message when the consumer reports no failure', () => {
    expect(succeededMessageIds(sqsEvent, undefined)).toEqual(['m1', 'm2', 'm3']);
    expect(succeededMessageIds(sqsEvent, { batchItemFailures: [] })).toEqual(['m1', 'm2', 'm3']);
  });

  it('keeps only the reported failures', () => {
    expect(succeededMessageIds(sqsEvent, { batchItemFailures: [{ itemIdentifier: 'm2' }] })).toEqual([
      'm1',
      'm3',
    ]);
  });

  it('keeps the whole batch when a reported id is not in it', () => {
    expect(succeededMessageIds(sqsEvent, { batchItemFailures: [{ itemIdentifier: 'zz' }] })).toEqual([]);
    expect(succeededMessageIds(sqsEvent, { batchItemFailures: [{ itemIdentifier: '' }] })).toEqual([]);
  });
});

describe('DynamoDB stream batch responses', () => {
  const batch: DynamoDBRecord[] = ['100', '200', '300'].map((n) => ({ dynamodb: { SequenceNumber: n } }));

  it('resumes nowhere when all succeeded', () => {
    expect(firstFailedSequence(batch, { batchItemFailures: [] })).toBeUndefined();
    expect(firstFailedSequence(batch, null)).toBeUndefined();
  });

  it('resumes at the lowest reported sequence number', () => {
    expect(
      firstFailedSequence(batch, {
        batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }],
      }),
    ).toBe('200');
  });

  it('retries the whole batch when a reported sequence number is not in it', () => {
    expect(firstFailedSequence(batch, { batchItemFailures: [{ itemIdentifier: '999' }] })).toBe('100');
  });
});

describe('stream filters', () => {
  const record = (eventName: string, image: 'NewImage' | 'OldImage', entity: string) => ({
    eventName,
    dynamodb: { [image]: { __edb_e__: { S: entity } } },
  });

  it("pass the declared entity's inserts and modifications by new image, removals by old image", () => {
    const filters = streamFilterPatterns({
      consumer: 'c',
      batchSize: 1,
      entity: 'event',
      eventNames: ['INSERT', 'REMOVE'],
      maxRetryAttempts: 1,
    }).map(compileEventPattern);
    const passes = (r: unknown) => filters.some((f) => f(r));
    expect(passes(record('INSERT', 'NewImage', 'event'))).toBe(true);
    expect(passes(record('REMOVE', 'OldImage', 'event'))).toBe(true);
    expect(passes(record('MODIFY', 'NewImage', 'event'))).toBe(false);
    expect(passes(record('INSERT', 'NewImage', 'tenant'))).toBe(false);
  });
});
