// Local webhook delivery: deliveries per second and latency from a mutation's commit (its API
// answer) to the receiver's 2xx, next to the raw-HTTP POST rate of the same receiver as the ceiling.
// It runs in a child process: handler modules keep the endpoints of the first runtime they saw, and
// the other benches start and stop their own runtime before this one.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { createApi } from '../support/http.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { percentile } from './latency.ts';

export interface WebhookFigures {
  ceiling: { posts: number; concurrency: number; perSecond: number; p50: number; p99: number };
  deliveries: {
    events: number;
    endpoints: number;
    expected: number;
    delivered: number;
    /** Committed mutations per second while the events were made. */
    eventsPerSecond: number;
    /** From the first commit to the last 2xx. */
    perSecond: number;
    p50: number;
    p99: number;
    max: number;
  };
}

const endpoints = 8;
const eventsPerEndpoint = 25;
/** The delivery worker takes up to 10 messages a batch and POSTs them at once. */
const ceilingConcurrency = 10;
const ceilingPosts = 2000;
/** How long the bench waits after the last new delivery before it reports the missing ones. */
const stallMs = 60_000;

/** POSTs `body` to `url` as fast as `concurrency` keep-alive connections allow; the ceiling. */
async function measureRawPosts(url: string, body: string): Promise<WebhookFigures['ceiling']> {
  const agent = new http.Agent({ keepAlive: true });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  try {
    for (let i = 0; i < 50; i++) await post();
    const timings: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: ceilingConcurrency }, async () => {
        while (next < ceilingPosts) {
          next++;
          const t0 = performance.now();
          await post();
          timings.push(performance.now() - t0);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    timings.sort((a, b) => a - b);
    return {
      posts: timings.length,
      concurrency: ceilingConcurrency,
      perSecond: timings.length / elapsed,
      p50: percentile(timings, 50),
      p99: percentile(timings, 99),
    };
  } finally {
    agent.destroy();
  }
}

/** Waits until `count()` reaches `expected`, or stops growing for a while; returns the last count. */
async function waitForCount(count: () => number, expected: number): Promise<number> {
  let last = -1;
  let changedAt = Date.now();
  for (;;) {
    const now = count();
    if (now >= expected) return now;
    if (now !== last) [last, changedAt] = [now, Date.now()];
    if (Date.now() - changedAt > stallMs) return now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function measureDeliveries(
  runtime: Awaited<ReturnType<typeof startLocalPlinth>>,
  receiver: Receiver,
): Promise<WebhookFigures['deliveries']> {
  const api = createApi(runtime.apiUrl);
  const admin = runtime.adminApiKey;
  // One tenant per endpoint, so each tenant's renames run one after another without conflicts.
  const tenants = await Promise.all(
    Array.from({ length: endpoints }, async (_, n) => {
      const tenant = await api('POST', '/v1/platform/tenants', {
        token: admin,
        body: { name: `Bench ${n}`, slug: `bench-hooks-${n}`, region: runtime.region },
      });
      const tenantId = String(tenant.body.id);
      const key = await api('POST', `/v1/platform/tenants/${tenantId}/api-keys`, {
        token: admin,
        body: { name: 'bench', scopes: ['webhooks:read', 'webhooks:write'] },
      });
      const token = String(key.body.secret);
      const path = `/bench/${n}`;
      const endpoint = await api('POST', '/v1/webhooks', {
        token,
        body: { url: receiver.url(path), eventTypes: ['tenant.updated'] },
      });
      return { tenantId, token, path, endpointId: String(endpoint.body.id) };
    }),
  );

  // Warm-up: one test event per endpoint through the whole delivery path; not counted.
  for (const t of tenants)
    await api('POST', `/v1/webhooks/${t.endpointId}/test`, { token: t.token, body: {} });
  await waitForCount(() => tenants.filter((t) => receiver.requests(t.path).length > 0).length, endpoints);

  const committedAt = new Map<string, number>();
  const started = Date.now();
  await Promise.all(
    tenants.map(async (t, n) => {
      for (let i = 0; i < eventsPerEndpoint; i++) {
        const name = `Bench ${n} event ${i}`;
        await api('PATCH', `/v1/platform/tenants/${t.tenantId}`, { token: admin, body: { name } });
        committedAt.set(name, Date.now());
      }
    }),
  );
  const lastCommit = Date.now();

  const deliveredAt = (): Array<{ name: string; at: number }> =>
    tenants.flatMap((t) =>
      receiver.requests(t.path).flatMap((r) => {
        const name = (JSON.parse(r.body) as { data?: { tenant?: { name?: string } } }).data?.tenant?.name;
        return name !== undefined && committedAt.has(name) ? [{ name, at: r.receivedAt }] : [];
      }),
    );
  const expected = endpoints * eventsPerEndpoint;
  await waitForCount(() => deliveredAt().length, expected);

  const arrivals = deliveredAt();
  const latencies = arrivals.map((a) => a.at - committedAt.get(a.name)!).sort((a, b) => a - b);
  const firstCommit = Math.min(...committedAt.values());
  const lastArrival = Math.max(...arrivals.map((a) => a.at));
  return {
    events: committedAt.size,
    endpoints,
    expected,
    delivered: arrivals.length,
    eventsPerSecond: committedAt.size / ((lastCommit - started) / 1000),
    perSecond: arrivals.length / ((lastArrival - firstCommit) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

/** Both measurements against one local runtime and one receiver that answers 200 at once. */
export async function measureWebhooks(): Promise<WebhookFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plinth-bench-webhooks-'));
  const receiver = await startReceiver();
  const runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  try {
    const body = JSON.stringify({
      type: 'tenant.updated',
      timestamp: new Date().toISOString(),
      data: { tenant: { name: 'A tenant of about the size of a real payload' }, changes: {} },
    });
    const ceiling = await measureRawPosts(receiver.url('/ceiling'), body);
    const deliveries = await measureDeliveries(runtime, receiver);
    return { ceiling, deliveries };
  } finally {
    await runtime.stop();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs `measureWebhooks` in a fresh child process (see the top of this file) and prints its figures. */
export async function printWebhookFigures(): Promise<void> {
  const figures = await new Promise<WebhookFigures>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => resolve(message as WebhookFigures));
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the webhooks bench exited with ${code} before reporting`)),
    );
  });
  const { ceiling, deliveries: d } = figures;
  console.log(
    `\nLocal webhooks: ${d.events} tenant.updated events to ${d.endpoints} endpoints (one per tenant), receiver answering 200 at once\n`,
  );
  console.log(
    `ceiling: raw HTTP POSTs from this process to the receiver, ${ceiling.posts} posts, concurrency ${ceiling.concurrency}: ` +
      `${ceiling.perSecond.toFixed(0)} posts/s, p50 ${ceiling.p50.toFixed(2)} ms, p99 ${ceiling.p99.toFixed(2)} ms`,
  );
  console.log(
    `deliveries: ${d.delivered} of ${d.expected}, ${d.perSecond.toFixed(1)} deliveries/s (events committed at ${d.eventsPerSecond.toFixed(1)}/s)`,
  );
  console.log(
    `commit (API answer) → receiver 2xx: p50 ${d.p50.toFixed(0)} ms, p99 ${d.p99.toFixed(0)} ms, max ${d.max.toFixed(0)} ms`,
  );
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await measureWebhooks();
  process.send(figures, () => process.exit(0));
}
