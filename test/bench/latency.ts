// Local API latency under a fixed concurrent load: percentiles of GET /v1/tenant with a tenant key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { createApi } from '../support/http.ts';

export interface LatencyResult {
  requests: number;
  concurrency: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  failures: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export async function measureTenantReadLatency(requests = 2000, concurrency = 16): Promise<LatencyResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plinth-bench-'));
  const runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  try {
    const api = createApi(runtime.apiUrl);
    const tenant = await api('POST', '/v1/platform/tenants', {
      token: runtime.adminApiKey,
      body: { name: 'Bench', slug: 'bench', region: runtime.region },
    });
    const key = await api('POST', `/v1/platform/tenants/${String(tenant.body.id)}/api-keys`, {
      token: runtime.adminApiKey,
      body: { name: 'bench' },
    });
    const token = String(key.body.secret);
    const url = `${runtime.apiUrl}/v1/tenant`;
    const headers = { authorization: `Bearer ${token}` };

    // Warm up the handlers and connections; these calls are not counted.
    for (let i = 0; i < 50; i++) await (await fetch(url, { headers })).arrayBuffer();

    const timings: number[] = [];
    let failures = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next++;
          const t0 = performance.now();
          const res = await fetch(url, { headers });
          await res.arrayBuffer();
          timings.push(performance.now() - t0);
          if (res.status !== 200) failures++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    timings.sort((a, b) => a - b);
    return {
      requests: timings.length,
      concurrency,
      p50: percentile(timings, 50),
      p99: percentile(timings, 99),
      max: timings.at(-1) ?? Number.NaN,
      perSecond: timings.length / elapsed,
      failures,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
