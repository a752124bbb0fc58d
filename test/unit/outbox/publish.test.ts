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

    expect(result.response.batchItemFailures).toEqual([]);
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

  it('fails exactly the entries EventBridge refused, with their tenant and event, and every record after the call', async () => {
    mock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
          { EventId: 'c' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
          ...Array.from({ length: 6 }, (_, i) => ({ EventId: `e${i}` })),
        ],
      })
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const stream: DynamoDBStreamEvent = {
      Records: Array.from({ length: 12 }, (_, i) => record(i + 1, eventItem(i + 1))),
    };

    const result = await publishStreamBatch(stream, { eventBridge, busName: 'bus' });

    // Records 11 and 12 were never sent: the batch stops at the call that failed.
    expect(result.response.batchItemFailures).toEqual(
      ['2', '4', '11', '12'].map((itemIdentifier) => ({ itemIdentifier })),
    );
    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(result.published).toBe(8);
    expect(result.failures).toEqual([
      { tenantId: 'ten_1', eventId: '01EV2', sequenceNumber: '2', error: 'InternalFailure: try again' },
      { tenantId: 'ten_1', eventId: '01EV4', sequenceNumber: '4', error: 'ThrottlingException: slow down' },
    ]);
  });

  it('fails every record of a call that threw, and says why, while the calls before it stand', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    mock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, () => ({ EventId: 'x' })) })
      .rejects(throttled);
    const stream: DynamoDBStreamEvent = {
      Records: Array.from({ length: 12 }, (_, i) => record(i + 1, eventItem(i + 1))),
    };

    const result = await publishStreamBatch(stream, { eventBridge, busName: 'bus' });

    expect(result.response.batchItemFailures).toEqual([{ itemIdentifier: '11' }, { itemIdentifier: '12' }]);
    expect(result.published).toBe(10);
    expect(result.failures.map((f) => [f.eventId, f.error])).toEqual([
      ['01EV11', 'ThrottlingException: Rate exceeded'],
      ['01EV12', 'ThrottlingException: Rate exceeded'],
    ]);
  });
});
