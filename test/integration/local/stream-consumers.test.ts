// The DynamoDB stream event source mapping on one machine, against DynamoDB Local's real stream:
// filters, record shape, batch item failures, giving up after the retries, and positions that
// survive a restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeTableCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { defineContext, type StreamConsumerDeclaration } from '../../../libs/manifest/types.ts';
import { createStreamsClient } from '../../../infra/local/dynamodb-streams.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import { silentLog } from '../../../infra/local/log.ts';
import { startStreamConsumers, type StreamConsumers } from '../../../infra/local/stream-consumers.ts';
import { createTestTables, type TestTables } from '../../support/tables.ts';
import { eventually } from '../../support/eventually.ts';

const region = 'us-east-1';

async function put(tables: TestTables, id: string, entity: string): Promise<void> {
  await tables.client.send(
    new PutItemCommand({
      TableName: tables.tableName,
      Item: marshall({ pk: id, sk: id, __edb_e__: entity, name: id }),
    }),
  );
}

/** Starts one consumer of the table's stream; `handle` plays the consumer's export. */
async function consume(
  tables: TestTables,
  declaration: Partial<StreamConsumerDeclaration>,
  handle: (event: DynamoDBStreamEvent) => unknown,
  checkpointFile = join(mkdtempSync(join(tmpdir(), 'plinth-stream-')), 'positions.json'),
): Promise<{ consumers: StreamConsumers; checkpointFile: string; failureQueue: unknown[] }> {
  const failureQueue: unknown[] = [];
  const context = defineContext({
    name: 'widgets',
    description: 'test',
    entry: 'test/widgets.ts',
    routes: [],
    streams: [
      {
        consumer: 'changes',
        batchSize: 10,
        entity: 'widget',
        eventNames: ['INSERT'],
        maxRetryAttempts: 2,
        ...declaration,
      },
    ],
    access: {},
  });
  const consumers = await startStreamConsumers({
    dynamodb: tables.client,
    streams: createStreamsClient({ endpoint: tables.endpoint, region, accessKeyId: 'local' }),
    tableName: tables.tableName,
    region,
    contexts: [context],
    functions: createFunctionHost({
      region,
      namePrefix: 'test',
      load: () => Promise.resolve({ changes: handle }),
    }),
    checkpointFile,
    sendToFailureQueue: (consumer, record) => {
      failureQueue.push({ consumer, ...(JSON.parse(record) as object) });
      return Promise.resolve();
    },
    log: silentLog,
    pollIntervalMs: 20,
  });
  return { consumers, checkpointFile, failureQueue };
}

const nameOf = (record: DynamoDBRecord) => record.dynamodb?.NewImage?.name?.S;

describe('DynamoDB stream consumers', () => {
  it("hand the declared entity's inserts to the consumer as Lambda stream records, and nothing else", async () => {
    const tables = await createTestTables({ stream: true });
    const seen: DynamoDBRecord[] = [];
    const { consumers } = await consume(tables, {}, (event) => void seen.push(...event.Records));
    try {
      await put(tables, 'w1', 'widget');
      await put(tables, 'g1', 'gadget');
      await tables.client.send(
        new UpdateItemCommand({
          TableName: tables.tableName,
          Key: marshall({ pk: 'w1', sk: 'w1' }),
          UpdateExpression: 'SET #n = :n',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: marshall({ ':n': 'w1-renamed' }),
        }),
      );
      await put(tables, 'w2', 'widget');
      await eventually(() => seen.some((r) => nameOf(r) === 'w2') || undefined, 'the second widget');

      const { Table } = await tables.client.send(new DescribeTableCommand({ TableName: tables.tableName }));
      expect(seen.map(nameOf)).toEqual(['w1', 'w2']);
      expect(seen[0]).toMatchObject({
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        eventSourceARN: Table!.LatestStreamArn,
        awsRegion: region,
        dynamodb: {
          Keys: { pk: { S: 'w1' }, sk: { S: 'w1' } },
          NewImage: { __edb_e__: { S: 'widget' } },
        },
      });
      expect(typeof seen[0]!.dynamodb!.SequenceNumber).toBe('string');
    } finally {
      await consumers.stop();
    }
  });

  it('retry from the first reported batch item failure, without handing the earlier records again', async () => {
    const tables = await createTestTables({ stream: true });
    for (const id of ['w1', 'w2', 'w3']) await put(tables, id, 'widget');
    const batches: string[][] = [];
    const { consumers } = await consume(tables, {}, (event) => {
      batches.push(event.Records.map((r) => nameOf(r)!));
      const w2 = event.Records.find((r) => nameOf(r) === 'w2');
      return {
        batchItemFailures:
          batches.length === 1 && w2 ? [{ itemIdentifier: w2.dynamodb!.SequenceNumber! }] : [],
      };
    });
    try {
      await eventually(() => batches.length >= 2 || undefined, 'the retry');
      expect(batches.slice(0, 2)).toEqual([
        ['w1', 'w2', 'w3'],
        ['w2', 'w3'],
      ]);
    } finally {
      await consumers.stop();
    }
  });

  it("give up on a batch after maxRetryAttempts, send Lambda's on-failure record to the failure queue, and go on", async () => {
    const tables = await createTestTables({ stream: true });
    for (const id of ['w1', 'w2', 'w3']) await put(tables, id, 'widget');
    const calls: string[] = [];
    const poison: string[] = [];
    const { consumers, failureQueue } = await consume(
      tables,
      { batchSize: 1, maxRetryAttempts: 2 },
      (event) => {
        const name = nameOf(event.Records[0]!)!;
        calls.push(name);
        if (name !== 'w2') return { batchItemFailures: [] };
        poison.push(event.Records[0]!.dynamodb!.SequenceNumber!);
        throw new Error('w2 is poison');
      },
    );
    try {
      await eventually(() => calls.includes('w3') || undefined, 'the record after the poison one');
      expect(calls).toEqual(['w1', 'w2', 'w2', 'w2', 'w3']);
      expect(consumers.failures()).toEqual([
        expect.objectContaining({
          consumer: 'widgets-changes',
          records: 1,
          attempts: 3,
          reason: 'w2 is poison',
        }),
      ]);
      expect(failureQueue).toEqual([
        expect.objectContaining({
          consumer: 'widgets-changes',
          requestContext: expect.objectContaining({
            condition: 'RetryAttemptsExhausted',
            approximateInvokeCount: 3,
          }) as unknown,
          DDBStreamBatchInfo: expect.objectContaining({
            startSequenceNumber: poison[0],
            endSequenceNumber: poison[0],
            batchSize: 1,
            streamArn: expect.stringContaining('/stream/') as unknown,
          }) as unknown,
        }),
      ]);
    } finally {
      await consumers.stop();
    }
  });

  it('resume after a restart where they stopped: nothing done is handed again, nothing new is lost', async () => {
    const tables = await createTestTables({ stream: true });
    const seen: string[] = [];
    const handle = (event: DynamoDBStreamEvent) => void seen.push(...event.Records.map((r) => nameOf(r)!));
    const first = await consume(tables, {}, handle);
    await put(tables, 'w1', 'widget');
    await eventually(() => seen.includes('w1') || undefined, 'the first widget');
    await first.consumers.stop();

    await put(tables, 'w2', 'widget');
    const second = await consume(tables, {}, handle, first.checkpointFile);
    try {
      await eventually(() => seen.includes('w2') || undefined, 'the widget written while stopped');
      expect(seen).toEqual(['w1', 'w2']);
    } finally {
      await second.consumers.stop();
    }
  });
});
