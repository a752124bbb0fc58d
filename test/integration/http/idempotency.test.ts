import { Logger } from '@aws-lambda-powertools/logger';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { implement } from '../../../libs/http/route.ts';
import { defineRoute } from '../../../libs/manifest/types.ts';
import { createTestTables, type TestTables } from '../../support/tables.ts';
import {
  apiEvent,
  json,
  lambdaContext,
  platformCaller,
  tenantCaller,
  type EventInit,
} from '../../unit/http/api-events.ts';

const body = z.strictObject({
  name: z.string(),
  note: z.string().optional(),
  fail: z.enum(['problem', 'error']).optional(),
});

const routes = {
  createOrder: defineRoute({
    operationId: 'createOrder',
    method: 'POST',
    path: '/v1/orders',
    summary: 'Create an order',
    tags: ['Orders'],
    audience: 'tenant',
    permission: 'orders:write',
    request: { body },
    responses: { 201: { description: 'The order' } },
  }),
  createRefund: defineRoute({
    operationId: 'createRefund',
    method: 'POST',
    path: '/v1/refunds',
    summary: 'Create a refund',
    tags: ['Orders'],
    audience: 'tenant',
    permission: 'orders:write',
    request: { body },
    responses: { 201: { description: 'The refund' } },
  }),
  slowOrder: defineRoute({
    operationId: 'slowOrder',
    method: 'POST',
    path: '/v1/slow-orders',
    summary: 'Create an order, slowly',
    tags: ['Orders'],
    audience: 'tenant',
    permission: 'orders:write',
    request: { body },
    responses: { 201: { description: 'The order' } },
  }),
  pingOrders: defineRoute({
    operationId: 'pingOrders',
    method: 'POST',
    path: '/v1/orders/ping',
    summary: 'Not idempotent on purpose',
    tags: ['Orders'],
    audience: 'tenant',
    permission: 'orders:write',
    request: { body },
    responses: { 200: { description: 'Pong' } },
    idempotent: false,
  }),
  createPlan: defineRoute({
    operationId: 'createPlan',
    method: 'POST',
    path: '/v1/platform/plans',
    summary: 'Create a plan',
    tags: ['Platform'],
    audience: 'platform',
    permission: 'platform.plans:write',
    request: { body },
    responses: { 201: { description: 'The plan' } },
  }),
};

let runs = 0;
const gates: Array<() => void> = [];

function fulfil(name: string, fail: 'problem' | 'error' | undefined) {
  runs += 1;
  if (fail === 'problem') return Promise.reject(new Problem(409, 'order_conflict', 'Not now.'));
  if (fail === 'error') return Promise.reject(new Error('store down'));
  return Promise.resolve({
    status: 201,
    body: { id: `ord_${runs}`, name },
    headers: { location: `/v1/orders/ord_${runs}` },
  });
}

const bound = [
  implement(routes.createOrder, ({ body }) => fulfil(body.name, body.fail)),
  implement(routes.createRefund, ({ body }) => fulfil(body.name, body.fail)),
  implement(routes.slowOrder, async ({ body }) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    return fulfil(body.name, undefined);
  }),
  implement(routes.pingOrders, () => {
    runs += 1;
    return Promise.resolve({ status: 200, body: { runs } });
  }),
  implement(routes.createPlan, ({ body }) => fulfil(body.name, undefined)),
];

const alice = tenantCaller(['orders:write'], 'ten_01J000000000000000000ALICE');
const bob = tenantCaller(['orders:write'], 'ten_01J0000000000000000000BOB0');

let tables: TestTables;
let handler: ApiHandler;

beforeAll(async () => {
  tables = await createTestTables();
  handler = createApiHandler({
    serviceName: 'orders',
    routes: bound,
    logger: new Logger({ serviceName: 'orders', logLevel: 'SILENT' }),
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });
});

let keys = 0;
function freshKey(): string {
  keys += 1;
  return `order-key-${keys}-${Date.now()}`;
}

function post(
  init: Omit<EventInit, 'method'> & { key?: string },
  remainingMillis?: number,
): Promise<APIGatewayProxyResult> {
  const headers = { ...init.headers, ...(init.key ? { 'Idempotency-Key': init.key } : {}) };
  return handler(
    apiEvent({ method: 'POST', caller: alice, ...init, headers }),
    lambdaContext(remainingMillis),
  );
}

async function waitForGate(count: number): Promise<void> {
  while (gates.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Idempotency-Key on POST', () => {
  it('replays the first response, headers included, without running the route again', async () => {
    const key = freshKey();
    const first = await post({ path: '/v1/orders', body: { name: 'one' }, key });
    const before = runs;
    const replay = await post({ path: '/v1/orders', body: { name: 'one' }, key });

    expect(runs).toBe(before);
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(replay.headers).toMatchObject({
      location: first.headers?.location,
      'idempotent-replayed': 'true',
    });
    expect(first.headers).not.toHaveProperty('idempotent-replayed');
  });

  it('treats another key order or spacing of the same JSON as the same request', async () => {
    const key = freshKey();
    const headers = { 'content-type': 'application/json' };
    const first = await post({ path: '/v1/orders', body: '{"name":"same","note":"n"}', key, headers });
    const spaced = await post({
      path: '/v1/orders',
      body: '{ "note": "n",\n  "name" : "same" }',
      key,
      headers,
    });
    expect(spaced.body).toBe(first.body);
    expect(spaced.headers?.['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with another body, or on another route, with 422 idempotency_key_reused', async () => {
    const key = freshKey();
    await post({ path: '/v1/orders', body: { name: 'first' }, key });

    const otherBody = await post({ path: '/v1/orders', body: { name: 'second' }, key });
    expect([otherBody.statusCode, json(otherBody.body).code]).toEqual([422, 'idempotency_key_reused']);
    const otherRoute = await post({ path: '/v1/refunds', body: { name: 'first' }, key });
    expect([otherRoute.statusCode, json(otherRoute.body).code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('answers 409 idempotency_key_in_use while the first request runs, then replays it', async () => {
    const key = freshKey();
    const first = post({ path: '/v1/slow-orders', body: { name: 'slow' }, key });
    await waitForGate(1);

    const concurrent = await post({ path: '/v1/slow-orders', body: { name: 'slow' }, key });
    expect([concurrent.statusCode, json(concurrent.body).code]).toEqual([409, 'idempotency_key_in_use']);
    expect(concurrent.headers?.['retry-after']).toBe('1');

    gates.shift()?.();
    const done = await first;
    const after = await post({ path: '/v1/slow-orders', body: { name: 'slow' }, key });
    expect(after.body).toBe(done.body);
  });

  it('lets a key go when its request failed, so a retry runs again', async () => {
    const key = freshKey();
    const refused = await post({ path: '/v1/orders', body: { name: 'retry', fail: 'problem' }, key });
    expect(refused.statusCode).toBe(409);
    // The same key, now with a body that succeeds: nothing was kept, so this is not a reuse.
    const crashed = await post({ path: '/v1/orders', body: { name: 'retry', fail: 'error' }, key });
    expect(crashed.statusCode).toBe(500);

    const retried = await post({ path: '/v1/orders', body: { name: 'retry' }, key });
    expect(retried.statusCode).toBe(201);
    expect(retried.headers).not.toHaveProperty('idempotent-replayed');
  });

  it('takes over a key whose request died without finishing, once its lock lapsed', async () => {
    const key = freshKey();
    // 80 ms left: the invocation "times out" (middy answers 500) while the route still waits.
    const dying = await post({ path: '/v1/slow-orders', body: { name: 'orphan' }, key }, 80);
    expect(dying.statusCode).toBe(500);
    await waitForGate(1);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const takeover = post({ path: '/v1/slow-orders', body: { name: 'orphan' }, key });
    await waitForGate(2);
    gates.shift()?.(); // the orphan finishes late; its result must not replace the new owner's
    gates.shift()?.();
    const owner = await takeover;
    expect(owner.statusCode).toBe(201);

    const replay = await post({ path: '/v1/slow-orders', body: { name: 'orphan' }, key });
    expect(replay.body).toBe(owner.body);
  });

  it("keeps tenants' keys apart, in each tenant's own partition", async () => {
    const key = freshKey();
    const a = await post({ path: '/v1/orders', body: { name: 'shared' }, key, caller: alice });
    const b = await post({ path: '/v1/orders', body: { name: 'shared' }, key, caller: bob });
    expect(json(b.body).id).not.toBe(json(a.body).id);
    expect(b.headers).not.toHaveProperty('idempotent-replayed');

    const record = await tables.client.send(
      new GetItemCommand({
        TableName: tables.tableName,
        Key: { pk: { S: `T#${alice.kind === 'tenant' ? alice.tenantId : ''}` }, sk: { S: `IDEM#${key}` } },
      }),
    );
    const expiresAt = Number(record.Item?.expiresAt?.N);
    expect(record.Item?.status?.S).toBe('completed');
    expect(Math.abs(expiresAt - (Date.now() / 1000 + 24 * 60 * 60))).toBeLessThan(60);
  });

  it('refuses a key reused by another principal of the same tenant with 422, never replaying its response', async () => {
    const key = freshKey();
    const first = await post({ path: '/v1/orders', body: { name: 'mine' }, key, caller: alice });
    const before = runs;
    const otherKey = { ...alice, principalId: 'key_01J0000000000000000000OTHER', credentialId: 'key_other' };
    const user = {
      ...alice,
      principalType: 'user' as const,
      principalId: 'user-sub-1',
      credentialId: 'sess_1',
    };

    for (const caller of [otherKey, user]) {
      const reuse = await post({ path: '/v1/orders', body: { name: 'mine' }, key, caller });
      expect([reuse.statusCode, json(reuse.body).code]).toEqual([422, 'idempotency_key_reused']);
      expect(reuse.body).not.toContain(json(first.body).id);
    }
    expect(runs).toBe(before);
  });

  it("checks the route's permission before replaying a kept response", async () => {
    const key = freshKey();
    await post({ path: '/v1/orders', body: { name: 'guarded' }, key, caller: alice });

    const unscoped = { ...alice, permissions: new Set<string>() };
    const replay = await post({ path: '/v1/orders', body: { name: 'guarded' }, key, caller: unscoped });
    expect([replay.statusCode, json(replay.body).code]).toEqual([403, 'permission_denied']);
  });

  it('keeps the replayable response sealed, so a secret shown once is not stored in plain text', async () => {
    const key = freshKey();
    const first = await post({ path: '/v1/orders', body: { name: 'secret-sauce-7731' }, key, caller: alice });
    const record = await tables.client.send(
      new GetItemCommand({
        TableName: tables.tableName,
        Key: { pk: { S: `T#${alice.kind === 'tenant' ? alice.tenantId : ''}` }, sk: { S: `IDEM#${key}` } },
      }),
    );
    expect(first.body).toContain('secret-sauce-7731');
    expect(record.Item?.response?.S).not.toContain('secret-sauce-7731');
    const replayed = await post({
      path: '/v1/orders',
      body: { name: 'secret-sauce-7731' },
      key,
      caller: alice,
    });
    expect(replayed.body).toBe(first.body);
  });

  it('replays a response kept before its key rotated, until the grace of the previous key ends', async () => {
    const key = freshKey();
    const first = await post({ path: '/v1/orders', body: { name: 'before-rotation' }, key });
    const after = (previousUntil: Date) =>
      createApiHandler({
        serviceName: 'orders',
        routes: bound,
        logger: new Logger({ serviceName: 'orders', logLevel: 'SILENT' }),
        idempotency: {
          client: tables.client,
          tableName: tables.tableName,
          responseKeys: { current: 'n'.repeat(32), previous: 'r'.repeat(32), previousUntil },
        },
      });
    const again = apiEvent({
      method: 'POST',
      caller: alice,
      path: '/v1/orders',
      body: { name: 'before-rotation' },
      headers: { 'Idempotency-Key': key },
    });

    const inGrace = await after(new Date(Date.now() + 60_000))(again, lambdaContext());
    expect([inGrace.statusCode, inGrace.body]).toEqual([201, first.body]);
    expect(inGrace.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    const pastGrace = await after(new Date(Date.now() - 1))(again, lambdaContext());
    expect(pastGrace.statusCode).toBe(500);
  });

  it('keeps platform admins’ keys apart from each other', async () => {
    const key = freshKey();
    const one = await post({
      path: '/v1/platform/plans',
      body: { name: 'p' },
      key,
      caller: platformCaller(['platform.plans:write'], 'key_admin_one'),
    });
    const two = await post({
      path: '/v1/platform/plans',
      body: { name: 'p' },
      key,
      caller: platformCaller(['platform.plans:write'], 'key_admin_two'),
    });
    expect(json(two.body).id).not.toBe(json(one.body).id);
    const again = await post({
      path: '/v1/platform/plans',
      body: { name: 'p' },
      key,
      caller: platformCaller(['platform.plans:write'], 'key_admin_one'),
    });
    expect(again.body).toBe(one.body);
  });

  it('runs every time without a key, and on routes that opted out', async () => {
    const a = await post({ path: '/v1/orders', body: { name: 'nokey' } });
    const b = await post({ path: '/v1/orders', body: { name: 'nokey' } });
    expect(json(b.body).id).not.toBe(json(a.body).id);

    const key = freshKey();
    const p1 = await post({ path: '/v1/orders/ping', body: { name: 'x' }, key });
    const p2 = await post({ path: '/v1/orders/ping', body: { name: 'x' }, key });
    expect(json(p2.body).runs).toBe((json(p1.body).runs as number) + 1);
  });
});
