import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStreamBatch } from '../../../functions/outbox/publish.ts';

const eventBridge = new EventBridgeClient({ region: 'us-east-1' });
const mock = mockClient(eventBridge);

function record(
  seq: number,
  item: Record<string, unknown>,
  eventName: 'INSERT' | 'MODIFY' = 'INSERT',
): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: String(seq),
      NewImage: marshall(item, { removeUndefinedValues: true }) as Record<string, StreamAttributeValue>,
    },
  };
}

function eventItem(n: number) {
  return {
    __edb_e__: 'event',
    tenantId: 'ten_1',
    eventId: `01EV${n}`,
    type: 'tenant.suspended',
    version: 1,
    actor: { type: 'platform_admin', id: 'key_1' },
    occurredAt: '2026-01-01T00:00:00.000Z',
    data: { tenantId: 'ten_1', reason: 'unpaid' },
  };
}

describe('outbox publisher', () => {
  beforeEach(() => mock.reset());

  it('publishes event items as plinth events with the event as detail, ten per call', async () => {
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const records = Array.from({ length: 12 }, (_, i) => record(i + 1, eventItem(i + 1)));
    const stream: DynamoDBStreamEvent = {
      Records: [...records, record(99, { __edb_e__: 'tenant', tenantId: 't' })],
    };

    const result = await publishStreamBatch(stream, { eventBridge, busName: 'bus' });

    expect(result.batchItemFailures).toEqual([]);
    const calls = mock.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    const first = calls[0]!.args[0].input.Entries![0]!;
    expect(first).toMatchObject({ Source: 'plinth', DetailType: 'tenant.suspended', EventBusName: 'bus' });
    expect(JSON.parse(first.Detail!)).toMatchObject({
      id: '01EV1',
      tenantId: 'ten_1',
      data: { reason: 'unpaid' },
    });
  });

  it('reports the first entry EventBridge refused, so it and the rest come again', async () => {
    mock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, { EventId: 'c' }],
    });
    const stream: DynamoDBStreamEvent = { Records: [1, 2, 3].map((n) => record(n, eventItem(n))) };

    const result = await publishStreamBatch(stream, { eventBridge, busName: 'bus' });

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('reports the chunk start when the call itself fails', async () => {
    mock.on(PutEventsCommand).rejects(new Error('throttled'));
    const stream: DynamoDBStreamEvent = { Records: [record(7, eventItem(7))] };

    expect(await publishStreamBatch(stream, { eventBridge, busName: 'bus' })).toEqual({
      batchItemFailures: [{ itemIdentifier: '7' }],
    });
  });
});
