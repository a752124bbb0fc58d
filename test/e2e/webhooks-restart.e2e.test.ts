// A delivery survives the local runtime stopping in the middle of it: queued messages live in memory
// and are lost, and after the restart the sweeper finds the overdue delivery in the table again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { eventually } from '../support/eventually.ts';
import { createApi } from '../support/http.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;
interface Delivery {
  id: string;
  webhookId: string;
  status: string;
}

const shortRetries = (c: DeploymentConfig): DeploymentConfig => ({
  ...c,
  webhooks: { ...c.webhooks, retryScheduleSeconds: [0, 1, 1, 2, 2, 3], timeoutSeconds: 2 },
});
// The sweeper runs every minute and takes deliveries overdue by timeoutSeconds + 60 s.
const sweptWithinMs = 270_000;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-webhooks-restart-'));
let runtime: Runtime | undefined;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await runtime?.stop();
  await receiver?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it(
  'a delivery cut off by stopping the runtime is made after the restart, with one success logged',
  {
    timeout: 330_000,
  },
  async () => {
    runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true, deployment: shortRetries });
    let api = createApi(runtime.apiUrl);
    const admin = runtime.adminApiKey;
    const tenant = await api('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'Restart', slug: 'hooks-restart', region: runtime.region },
    });
    const tenantId = tenant.body.id as string;
    const key = await api('POST', `/v1/platform/tenants/${tenantId}/api-keys`, {
      token: admin,
      body: { name: 'restart', scopes: ['webhooks:read', 'webhooks:write'] },
    });
    const token = key.body.secret as string;
    const created = await api('POST', '/v1/webhooks', {
      token,
      body: { url: receiver.url('/restart'), eventTypes: ['tenant.updated'] },
    });
    expect(created.status).toBe(201);
    const endpointId = created.body.id as string;
    const secret = created.body.secret as string;
    receiver.script('/restart', 'hold');

    await api('PATCH', `/v1/platform/tenants/${tenantId}`, { token: admin, body: { name: 'Renamed' } });
    const [held] = await eventually(
      () => (receiver.held().length > 0 ? receiver.held() : undefined),
      'the first attempt, held open by the receiver',
      60_000,
    );
    const stopping = runtime.stop();
    // The worker is still waiting for the answer; cutting the connection ends its attempt while the
    // runtime goes down, and the message of the next attempt is lost with the in-memory queue.
    held!.drop();
    await stopping;

    const restartedAt = Date.now();
    runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true, deployment: shortRetries });
    api = createApi(runtime.apiUrl);
    const listed = await api<{ items: Delivery[] }>('GET', `/v1/webhooks/${endpointId}/deliveries`, {
      token,
    });
    expect(listed.body.items).toHaveLength(1);
    const deliveryId = listed.body.items[0]!.id;

    const done = await eventually(
      async () => {
        const res = await api<Delivery>('GET', `/v1/webhooks/${endpointId}/deliveries/${deliveryId}`, {
          token,
        });
        return res.body.status === 'succeeded' ? res.body : undefined;
      },
      'the delivery after the restart',
      sweptWithinMs,
    );

    const attempts = await api<{ items: Array<{ statusCode?: number }> }>(
      'GET',
      `/v1/webhooks/${endpointId}/deliveries/${deliveryId}/attempts`,
      { token },
    );
    const successes = attempts.body.items.filter((a) => a.statusCode !== undefined && a.statusCode < 300);
    expect(successes).toHaveLength(1);
    expect(attempts.body.items.at(-1)).toBe(successes[0]);

    const requests = receiver.requests('/restart');
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([done.webhookId]));
    const answered = requests.filter((r) => r.receivedAt >= restartedAt);
    expect(answered).toHaveLength(1);
    expect(new Webhook(secret).verify(answered[0]!.body, answered[0]!.headers)).toMatchObject({
      type: 'tenant.updated',
      data: { tenantId },
    });
  },
);
