// A destination whose rule EventBridge refused is taken back; when that fails too, the failed
// create's log says which destination was left behind and why, and the client sees none of it.
// The store and rules are fakes; DynamoDB Local holds only the idempotency records.
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { createApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { loadWebhooksConfig } from '../../../functions/webhooks/config.ts';
import type { WebhooksDeps } from '../../../functions/webhooks/context.ts';
import type { DeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { destinationRoutes } from '../../../functions/webhooks/routes/destinations.ts';
import type { WebhookStore } from '../../../functions/webhooks/store.ts';
import { functionEnv } from '../../support/function-env.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';

const tenantId = 'ten_01J0000000000000000000UNDO';

function captureLogs(): string[] {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('creating an event destination that EventBridge refuses', () => {
  it('logs the destination left behind when taking it back fails too, and answers a bare 502', async () => {
    const removed: string[] = [];
    const config = loadWebhooksConfig(
      functionEnv({
        EVENT_DESTINATION_ROLE_ARN: 'arn:aws:iam::999988887777:role/plinth-destinations',
        EVENT_DESTINATION_DLQ_ARN: 'arn:aws:sqs:us-east-1:999988887777:plinth-event-destination-failures',
      }),
    );
    // Only what creating a destination touches.
    const store = {
      destinationsOf: () => Promise.resolve({ items: [], version: 0 }),
      reserveDestination: () => Promise.resolve(),
      removeDestination: (d: { destinationId: string }) => {
        removed.push(d.destinationId);
        return Promise.resolve();
      },
    } as unknown as WebhookStore;
    const deps: WebhooksDeps = {
      config,
      store,
      deliveries: {} as DeliveryStore,
      secretBox: createSecretBox('integration-webhook-secret-key-0123456789'),
      rules: {
        put: () => Promise.reject(new Error('not authorized to perform iam:PassRole')),
        remove: () =>
          Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
      },
      cursors: createCursorCodec('unit-cursor-secret-0123456789abcdef0123'),
      clock: () => new Date('2026-03-01T00:00:00Z'),
    };
    const tables = await createTestTables();
    const api = createApiHandler({
      serviceName: 'webhooks',
      logger: new Logger({ serviceName: 'webhooks', logLevel: 'INFO' }),
      routes: destinationRoutes(deps),
      idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    });
    const logs = captureLogs();

    const res = await api(
      apiEvent({
        method: 'POST',
        path: '/v1/event-destinations',
        caller: tenantCaller([...tenantPermissions], tenantId),
        body: { eventBusArn: 'arn:aws:events:us-east-1:111122223333:event-bus/orders' },
      }),
      lambdaContext(),
    );

    expect([res.statusCode, json(res.body).code]).toEqual([502, 'destination_rejected']);
    expect(res.body).not.toContain('Rate exceeded');
    expect(removed).toEqual([]);
    const failure = logs
      .map((line) => JSON.parse(line) as { message?: string; tenantId?: string; error?: unknown })
      .find((l) => l.message === 'request failed');
    expect(failure?.tenantId).toBe(tenantId);
    expect(failure?.error).toMatchObject({
      cause: { message: 'not authorized to perform iam:PassRole' },
      undoFailure: {
        destinationId: expect.stringMatching(/^dst_/) as unknown,
        error: 'ThrottlingException: Rate exceeded',
      },
    });
  });
});
