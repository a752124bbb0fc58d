// Webhooks on one machine, for real: events from the API reach a local HTTP receiver through the
// bus, the fan-out and the delivery queue, signed as Standard Webhooks (checked with its own library).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { eventually } from '../support/eventually.ts';
import { createApi } from '../support/http.ts';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;
type Json = Record<string, unknown>;
interface Delivery extends Json {
  id: string;
  webhookId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
}
interface Attempt extends Json {
  attempt: number;
  statusCode?: number;
  error?: string;
}
interface Endpoint {
  id: string;
  secret: string;
  path: string;
}

/** Short retries and timeouts, so a test sees a whole retry schedule in seconds. */
const shortRetries = (c: DeploymentConfig): DeploymentConfig => ({
  ...c,
  webhooks: { ...c.webhooks, retryScheduleSeconds: [0, 1, 1, 2, 2, 3], timeoutSeconds: 2 },
});
const deliveryWaitMs = 60_000;
const testTimeoutMs = 180_000;
const scopes = [
  'tenant:read',
  'api-keys:write',
  'jobs:read',
  'webhooks:read',
  'webhooks:write',
  'webhooks:secrets',
];

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-webhooks-'));
let runtime: Runtime;
let api: ReturnType<typeof createApi>;
let receiver: Receiver;
let paths = 0;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true, deployment: shortRetries });
  api = createApi(runtime.apiUrl);
  receiver = await startReceiver();
});

afterAll(async () => {
  await runtime?.stop();
  await receiver?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A tenant and an API key of it that can manage webhooks. */
async function tenantWithKey(slug: string): Promise<{ tenantId: string; token: string }> {
  const tenant = await api('POST', '/v1/platform/tenants', {
    token: runtime.adminApiKey,
    body: { name: `Tenant ${slug}`, slug, region: runtime.region },
  });
  expect(tenant.status).toBe(201);
  const tenantId = tenant.body.id as string;
  const key = await api('POST', `/v1/platform/tenants/${tenantId}/api-keys`, {
    token: runtime.adminApiKey,
    body: { name: 'webhooks e2e', scopes },
  });
  expect(key.status).toBe(201);
  return { tenantId, token: key.body.secret as string };
}

async function createEndpoint(
  token: string,
  eventTypes: string[],
  on: Receiver = receiver,
): Promise<Endpoint> {
  const path = `/hooks/${++paths}`;
  const res = await api('POST', '/v1/webhooks', { token, body: { url: on.url(path), eventTypes } });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, secret: res.body.secret as string, path };
}

/** Renames the tenant: a tenant.updated event, which no test's setup emits. */
async function updateTenant(tenantId: string, name: string): Promise<void> {
  const res = await api('PATCH', `/v1/platform/tenants/${tenantId}`, {
    token: runtime.adminApiKey,
    body: { name },
  });
  expect(res.status).toBe(200);
}

async function listDeliveries(token: string, endpointId: string, query = ''): Promise<Delivery[]> {
  const res = await api<{ items: Delivery[] }>('GET', `/v1/webhooks/${endpointId}/deliveries${query}`, {
    token,
  });
  expect(res.status).toBe(200);
  return res.body.items;
}

async function getDelivery(token: string, endpointId: string, deliveryId: string): Promise<Delivery> {
  const res = await api<Delivery>('GET', `/v1/webhooks/${endpointId}/deliveries/${deliveryId}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

async function listAttempts(token: string, endpointId: string, deliveryId: string): Promise<Attempt[]> {
  const res = await api<{ items: Attempt[] }>(
    'GET',
    `/v1/webhooks/${endpointId}/deliveries/${deliveryId}/attempts`,
    { token },
  );
  expect(res.status).toBe(200);
  return res.body.items;
}

/** The endpoint's only delivery, once the fan-out has made it. */
function onlyDelivery(token: string, endpointId: string): Promise<Delivery> {
  return eventually(
    async () => {
      const items = await listDeliveries(token, endpointId);
      return items.length > 0 ? items : undefined;
    },
    `a delivery to ${endpointId}`,
    deliveryWaitMs,
  ).then((items) => {
    expect(items).toHaveLength(1);
    return items[0]!;
  });
}

function deliveryReaching(token: string, endpointId: string, deliveryId: string, status: Delivery['status']) {
  return eventually(
    async () => {
      const delivery = await getDelivery(token, endpointId, deliveryId);
      return delivery.status === status ? delivery : undefined;
    },
    `delivery ${deliveryId} to be ${status}`,
    deliveryWaitMs,
  );
}

/** Checks the request with the standardwebhooks library (throws when the signature is wrong) and returns its payload. */
function verified(request: ReceivedRequest, secret: string): { type: string; timestamp: string; data: Json } {
  return new Webhook(secret).verify(request.body, request.headers) as {
    type: string;
    timestamp: string;
    data: Json;
  };
}

describe('an event reaches the endpoints that want it', { timeout: testTimeoutMs }, () => {
  it('goes to the two matching endpoints, signed, and skips the third', async () => {
    const { tenantId, token } = await tenantWithKey('hooks-fanout');
    const byType = await createEndpoint(token, ['api_key.created']);
    const everything = await createEndpoint(token, ['*']);
    const other = await createEndpoint(token, ['tenant.updated']);

    const created = await api('POST', '/v1/api-keys', {
      token,
      body: { name: 'second', scopes: ['tenant:read'] },
    });
    expect(created.status).toBe(201);
    const keyId = created.body.id as string;
    // Events of the tenant's set-up may reach the '*' endpoint too; this one is the event under test.
    const isThisKey = (r: ReceivedRequest) => r.body.includes(keyId);

    const [first, second] = await eventually(
      () => {
        const a = receiver.requests(byType.path).filter(isThisKey);
        const b = receiver.requests(everything.path).filter(isThisKey);
        return a.length > 0 && b.length > 0 ? [a, b] : undefined;
      },
      'the api_key.created event at both matching endpoints',
      deliveryWaitMs,
    );
    expect([first.length, second.length]).toEqual([1, 1]);

    for (const [endpoint, request] of [
      [byType, first[0]!],
      [everything, second[0]!],
    ] as const) {
      const payload = verified(request, endpoint.secret);
      expect(payload).toMatchObject({
        type: 'api_key.created',
        data: { keyId, tenantId, name: 'second', scopes: ['tenant:read'] },
      });
      expect(request.headers['content-type']).toBe('application/json');
      const [delivery] = await listDeliveries(token, endpoint.id, '?eventType=api_key.created');
      expect(request.headers['webhook-id']).toBe(delivery?.webhookId);
      expect(() => verified(request, other.secret)).toThrow();
    }
    for (const request of receiver.requests(everything.path)) verified(request, everything.secret);

    expect(await listDeliveries(token, other.id)).toEqual([]);
    expect(receiver.requests(other.path)).toEqual([]);
  });

  it("an endpoint never receives another tenant's events", async () => {
    const a = await tenantWithKey('hooks-isolation-a');
    const b = await tenantWithKey('hooks-isolation-b');
    const atA = await createEndpoint(a.token, ['*']);
    const atB = await createEndpoint(b.token, ['*']);

    await updateTenant(a.tenantId, 'A renamed');
    await updateTenant(b.tenantId, 'B renamed');
    const renamed = (r: ReceivedRequest, secret: string) => verified(r, secret).type === 'tenant.updated';
    await eventually(
      () =>
        receiver.requests(atA.path).some((r) => renamed(r, atA.secret)) &&
        receiver.requests(atB.path).some((r) => renamed(r, atB.secret)),
      'each tenant.updated at its own tenant',
      deliveryWaitMs,
    );
    const tenantsAt = (endpoint: Endpoint) =>
      new Set(receiver.requests(endpoint.path).map((r) => verified(r, endpoint.secret).data.tenantId));
    expect(tenantsAt(atA)).toEqual(new Set([a.tenantId]));
    expect(tenantsAt(atB)).toEqual(new Set([b.tenantId]));
    const namesAtB = receiver.requests(atB.path).map((r) => JSON.stringify(verified(r, atB.secret).data));
    expect(namesAtB.some((d) => d.includes('A renamed'))).toBe(false);
    // Deliveries are stored before they are queued: one to B for A's event would be listed here.
    const storedAtB = await listDeliveries(b.token, atB.id, '?limit=100');
    expect(storedAtB.map((d) => (d.payload as { data: Json }).data.tenantId)).not.toContain(a.tenantId);
  });
});

describe('retries', { timeout: testTimeoutMs }, () => {
  it('500, 500, then 200: one success after three logged attempts, all with the same webhook-id', async () => {
    const { tenantId, token } = await tenantWithKey('hooks-retry');
    const endpoint = await createEndpoint(token, ['tenant.updated']);
    receiver.script(endpoint.path, 500, { status: 500, body: 'not yet' }, 200);

    await updateTenant(tenantId, 'Retried');
    const pending = await onlyDelivery(token, endpoint.id);
    const done = await deliveryReaching(token, endpoint.id, pending.id, 'succeeded');

    expect(done.attempts).toBe(3);
    const attempts = await listAttempts(token, endpoint.id, pending.id);
    expect(attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(attempts[1]?.responseBody).toBe('not yet');
    const requests = receiver.requests(endpoint.path);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([done.webhookId]));
    for (const request of requests) verified(request, endpoint.secret);
  });

  it('a receiver that is down past the first retries gets the delivery once it is back', async () => {
    const down = await startReceiver();
    try {
      const { tenantId, token } = await tenantWithKey('hooks-outage');
      const endpoint = await createEndpoint(token, ['tenant.updated'], down);
      await down.stop();

      await updateTenant(tenantId, 'While down');
      const pending = await onlyDelivery(token, endpoint.id);
      await eventually(
        // Logged, not only claimed: the next attempt is then at least a second away.
        async () => (await listAttempts(token, endpoint.id, pending.id)).length >= 2 || undefined,
        'two failed attempts at the stopped receiver',
        deliveryWaitMs,
      );
      await down.start();
      const done = await deliveryReaching(token, endpoint.id, pending.id, 'succeeded');

      const attempts = await listAttempts(token, endpoint.id, pending.id);
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts.filter((a) => a.statusCode !== undefined).map((a) => a.statusCode)).toEqual([200]);
      expect(attempts.at(-1)?.statusCode).toBe(200);
      expect(attempts.slice(0, -1).every((a) => a.error !== undefined)).toBe(true);
      const requests = down.requests(endpoint.path);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.headers['webhook-id']).toBe(done.webhookId);
      expect(verified(requests[0]!, endpoint.secret).data.tenantId).toBe(tenantId);
    } finally {
      await down.stop();
    }
  });

  it('a 400 is not retried: one attempt and the delivery failed', async () => {
    const { tenantId, token } = await tenantWithKey('hooks-400');
    const endpoint = await createEndpoint(token, ['tenant.updated']);
    receiver.script(endpoint.path, 400);

    await updateTenant(tenantId, 'Refused');
    const pending = await onlyDelivery(token, endpoint.id);
    const failed = await deliveryReaching(token, endpoint.id, pending.id, 'failed');

    expect(failed).toMatchObject({ attempts: 1, lastStatusCode: 400 });
    const attempts = await listAttempts(token, endpoint.id, pending.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([400]);
    expect(receiver.requests(endpoint.path)).toHaveLength(1);
  });
});

describe('signing secrets', { timeout: testTimeoutMs }, () => {
  it('after a rotation, a delivery carries two signatures and verifies with the old and the new secret', async () => {
    const { tenantId, token } = await tenantWithKey('hooks-rotation');
    const endpoint = await createEndpoint(token, ['tenant.updated']);
    const rotated = await api('POST', `/v1/webhooks/${endpoint.id}/secret/rotate`, { token, body: {} });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).not.toBe(endpoint.secret);
    const revealed = await api('GET', `/v1/webhooks/${endpoint.id}/secret`, { token });
    expect(revealed.body).toMatchObject({ secret: newSecret, previousSecret: endpoint.secret });

    await updateTenant(tenantId, 'Rotated');
    const [request] = await eventually(
      () => (receiver.requests(endpoint.path).length > 0 ? receiver.requests(endpoint.path) : undefined),
      'the delivery after the rotation',
      deliveryWaitMs,
    );

    expect(request!.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verified(request!, endpoint.secret).type).toBe('tenant.updated');
    expect(verified(request!, newSecret).type).toBe('tenant.updated');
    const unrelated = await createEndpoint(token, ['tenant.updated']);
    expect(() => verified(request!, unrelated.secret)).toThrow();
  });
});

describe('replay', { timeout: testTimeoutMs }, () => {
  /** A tenant whose endpoint refused (400) one tenant.updated delivery for good. */
  async function failedDelivery(slug: string) {
    const { tenantId, token } = await tenantWithKey(slug);
    const endpoint = await createEndpoint(token, ['tenant.updated']);
    receiver.script(endpoint.path, 400);
    await updateTenant(tenantId, `${slug} failed`);
    const pending = await onlyDelivery(token, endpoint.id);
    const delivery = await deliveryReaching(token, endpoint.id, pending.id, 'failed');
    return { tenantId, token, endpoint, delivery };
  }

  it('a failed delivery is listed under ?status=failed, and a retry sends it again with the same webhook-id', async () => {
    const { token, endpoint, delivery } = await failedDelivery('hooks-replay');

    expect((await listDeliveries(token, endpoint.id, '?status=failed')).map((d) => d.id)).toEqual([
      delivery.id,
    ]);
    expect(await listDeliveries(token, endpoint.id, '?status=succeeded')).toEqual([]);

    const retried = await api<Delivery>(
      'POST',
      `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`,
      {
        token,
        body: {},
      },
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: delivery.id, status: 'pending' });
    await deliveryReaching(token, endpoint.id, delivery.id, 'succeeded');

    const attempts = await listAttempts(token, endpoint.id, delivery.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([400, 200]);
    const requests = receiver.requests(endpoint.path);
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([delivery.webhookId, delivery.webhookId]);
    expect(requests[1]?.body).toBe(requests[0]?.body);
    expect((await listDeliveries(token, endpoint.id, '?status=succeeded')).map((d) => d.id)).toEqual([
      delivery.id,
    ]);
  });

  it('a test event is delivered to the endpoint whatever its event types', async () => {
    const { tenantId, token } = await tenantWithKey('hooks-test-event');
    const endpoint = await createEndpoint(token, ['tenant.updated']);

    const sent = await api<Delivery>('POST', `/v1/webhooks/${endpoint.id}/test`, { token, body: {} });
    expect(sent.status).toBe(202);
    expect(sent.body.eventType).toBe('webhook.test');
    await deliveryReaching(token, endpoint.id, sent.body.id, 'succeeded');

    const [request] = receiver.requests(endpoint.path);
    expect(request?.headers['webhook-id']).toBe(sent.body.webhookId);
    expect(verified(request!, endpoint.secret)).toMatchObject({ type: 'webhook.test', data: { tenantId } });
  });

  it('recover re-sends the failed deliveries since a time, as a job that ends succeeded with its progress', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const { tenantId, token, endpoint, delivery } = await failedDelivery('hooks-recover');
    receiver.script(endpoint.path, 400);
    await updateTenant(tenantId, 'Failed again');
    const second = await eventually(
      async () =>
        (await listDeliveries(token, endpoint.id, '?status=failed')).find((d) => d.id !== delivery.id),
      'a second failed delivery',
      deliveryWaitMs,
    );

    const requested = await api('POST', `/v1/webhooks/${endpoint.id}/recover`, { token, body: { since } });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ kind: 'webhooks.recover', progress: { total: 0 } });
    const location = requested.headers.get('location');
    expect(location).toBe(`/v1/jobs/${String(requested.body.id)}`);

    const job = await eventually(
      async () => {
        const res = await api('GET', location!, { token });
        expect(res.status).toBe(200);
        return res.body.status === 'succeeded' || res.body.status === 'failed' ? res.body : undefined;
      },
      'the recovery job to finish',
      deliveryWaitMs,
    );
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { total: 2, processed: 2, succeeded: 2, failed: 0, percent: 100 },
    });

    for (const d of [delivery, second]) await deliveryReaching(token, endpoint.id, d.id, 'succeeded');
    const ids = receiver.requests(endpoint.path).map((r) => r.headers['webhook-id']);
    expect(ids.filter((id) => id === delivery.webhookId)).toHaveLength(2);
    expect(ids.filter((id) => id === second.webhookId)).toHaveLength(2);
  });
});

describe("the local runtime's own services are out of reach", { timeout: testTimeoutMs }, () => {
  it('an endpoint on the API, DynamoDB Local, SQS and S3, the scheduler or the user pool is refused', async () => {
    const { token } = await tenantWithKey('hooks-own-services');
    const { endpoints } = runtime;
    const urls = [
      runtime.apiUrl,
      endpoints.dynamodb,
      endpoints.s3,
      endpoints.sqs,
      endpoints.scheduler,
      endpoints.cognito,
      endpoints.eventBridge,
      endpoints.ses,
    ].map((base) => `${base}/`);

    const codes = await Promise.all(
      urls.map(async (url) => {
        const res = await api('POST', '/v1/webhooks', { token, body: { url } });
        return [res.status, (res.body.errors as Array<{ code: string }> | undefined)?.[0]?.code];
      }),
    );

    expect(codes).toEqual(urls.map(() => [400, 'url_not_allowed']));
  });
});
