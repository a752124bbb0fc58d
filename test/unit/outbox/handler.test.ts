// The outbox stream consumer: an event EventBridge did not take is logged with its tenant and id and
// the reason, and comes back as a batch item failure so the stream delivers it again.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useFunctionEnv } from '../../support/function-env.ts';
import { lambdaContext } from '../http/api-events.ts';

const eventBridge = mockClient(EventBridgeClient);
let publish: (event: DynamoDBStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

beforeAll(async () => {
  useFunctionEnv({ POWERTOOLS_LOG_LEVEL: 'INFO' });
  ({ publish } = await import('../../../functions/outbox/handler.ts'));
});

afterEach(() => {
  vi.restoreAllMocks();
  eventBridge.reset();
});

function captureLogs(): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      return true;
    });
  }
  return lines;
}

const stream: DynamoDBStreamEvent = {
  Records: [1, 2].map((n) => ({
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: String(n),
      NewImage: marshall({
        __edb_e__: 'event',
        tenantId: 'ten_1',
        eventId: `01EV${n}`,
        type: 'api_key.created',
        version: 1,
        actor: { type: 'user', id: 'usr_1' },
        occurredAt: '2026-01-01T00:00:00.000Z',
        data: { keyId: 'key_1', prefix: 'plk_live_x' },
      }) as Record<string, AttributeValue>,
    },
  })),
};

describe('the outbox publisher function', () => {
  it('logs each event EventBridge refused with its tenant, id and reason, and fails only that record', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const logs = captureLogs();

    const result = (await publish(stream, lambdaContext())) as DynamoDBBatchResponse;

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    const warning = logs.find((l) => l.level === 'WARN');
    expect(warning).toMatchObject({
      tenantId: 'ten_1',
      eventId: '01EV2',
      sequenceNumber: '2',
      error: 'InternalFailure: try again',
    });
    expect(JSON.stringify(logs)).not.toContain('plk_live_x');
  });

  it('logs why a PutEvents call threw, for every event it carried', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const logs = captureLogs();

    const result = (await publish(stream, lambdaContext())) as DynamoDBBatchResponse;

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1' }, { itemIdentifier: '2' }]);
    expect(logs.filter((l) => l.level === 'WARN').map((l) => [l.eventId, l.error])).toEqual([
      ['01EV1', 'ThrottlingException: Rate exceeded'],
      ['01EV2', 'ThrottlingException: Rate exceeded'],
    ]);
  });
});
