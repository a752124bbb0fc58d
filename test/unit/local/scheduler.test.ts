import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defineContext } from '../../../libs/manifest/types.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import { silentLog } from '../../../infra/local/log.ts';
import { rateMillis, startScheduler, type LocalScheduler } from '../../../infra/local/scheduler.ts';

const reports = defineContext({
  name: 'reports',
  description: 'test',
  entry: 'test/reports.ts',
  routes: [],
  schedules: [
    { name: 'hourly', expression: 'rate(1 hour)', consumer: 'compile' },
    { name: 'nightly', expression: 'cron(0 2 * * ? *)', consumer: 'compile' },
  ],
  access: {},
});

describe('rate expressions', () => {
  it('reads minutes, hours and days, singular for 1 and plural otherwise', () => {
    expect([
      rateMillis('rate(1 minute)'),
      rateMillis('rate(5 minutes)'),
      rateMillis('rate(2 hours)'),
      rateMillis('rate(1 day)'),
    ]).toEqual([60_000, 300_000, 7_200_000, 86_400_000]);
    expect([
      rateMillis('rate(1 minutes)'),
      rateMillis('rate(5 minute)'),
      rateMillis('rate(0 minutes)'),
      rateMillis('cron(0 2 * * ? *)'),
    ]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('the local scheduler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-scheduler-'));
  const stateFile = join(dir, 'schedules.json');
  const runs: Array<{ source: string; resources: string[] }> = [];
  const functions = createFunctionHost({
    region: 'us-east-1',
    namePrefix: 'p',
    load: () =>
      Promise.resolve({
        compile: (event: { source: string; resources: string[] }) => {
          runs.push(event);
          return Promise.resolve();
        },
      }),
  });
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let scheduler: LocalScheduler | undefined;
  const start = () =>
    startScheduler({
      contexts: [reports],
      functions,
      region: 'us-east-1',
      stateFile,
      log: silentLog,
      now: () => clock,
      tickMs: 0,
    });

  afterEach(async () => {
    await scheduler?.stop();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a rate schedule when due, keeps its cadence across a restart, and collapses missed runs', async () => {
    scheduler = start();
    await scheduler.tick();
    expect(runs).toHaveLength(0);

    clock += 3_600_000;
    await scheduler.tick();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      source: 'aws.scheduler',
      resources: [expect.stringContaining('schedule/default/reports-hourly')],
    });

    await scheduler.stop();
    clock += 30 * 60_000;
    scheduler = start();
    await scheduler.tick();
    expect(runs).toHaveLength(1);

    clock += 5 * 3_600_000;
    await scheduler.tick();
    await scheduler.tick();
    expect(runs).toHaveLength(2);

    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, { nextRunAt: number }>;
    expect(saved['reports-hourly']!.nextRunAt).toBeGreaterThan(clock);
    expect(Object.keys(saved)).toEqual(['reports-hourly']);
  });
});
