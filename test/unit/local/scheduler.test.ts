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
  const runs: Array<{ source: string; time: string; resources: string[] }> = [];
  const runsOf = (schedule: string) => runs.filter((r) => r.resources[0]?.endsWith(`/${schedule}`));
  const functions = createFunctionHost({
    region: 'us-east-1',
    namePrefix: 'p',
    load: () =>
      Promise.resolve({
        compile: (event: { source: string; time: string; resources: string[] }) => {
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
    expect(runsOf('reports-hourly')).toHaveLength(0);

    clock += 3_600_000;
    await scheduler.tick();
    expect(runsOf('reports-hourly')).toHaveLength(1);
    expect(runsOf('reports-hourly')[0]).toMatchObject({
      source: 'aws.scheduler',
      resources: [expect.stringContaining('schedule/default/reports-hourly')],
    });

    await scheduler.stop();
    clock += 30 * 60_000;
    scheduler = start();
    await scheduler.tick();
    expect(runsOf('reports-hourly')).toHaveLength(1);

    clock += 5 * 3_600_000;
    await scheduler.tick();
    await scheduler.tick();
    expect(runsOf('reports-hourly')).toHaveLength(2);

    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, { nextRunAt: number }>;
    expect(saved['reports-hourly']!.nextRunAt).toBeGreaterThan(clock);
    expect(Object.keys(saved).sort()).toEqual(['reports-hourly', 'reports-nightly']);
  });

  it('runs a cron schedule at its times in UTC, keeps its next run across a restart, and collapses missed runs', async () => {
    // The hourly test above left the clock at 06:30 on 1 January; the nightly run of 02:00 was due.
    expect(runsOf('reports-nightly').map((r) => r.time)).toEqual(['2026-01-01T06:30:00Z']);
    clock = Date.parse('2026-01-02T01:59:00Z');
    scheduler = start();
    await scheduler.tick();
    expect(runsOf('reports-nightly')).toHaveLength(1);

    clock = Date.parse('2026-01-02T02:00:00Z');
    await scheduler.tick();
    expect(runsOf('reports-nightly').map((r) => r.time)).toEqual([
      '2026-01-01T06:30:00Z',
      '2026-01-02T02:00:00Z',
    ]);

    await scheduler.stop();
    clock = Date.parse('2026-01-05T12:00:00Z');
    scheduler = start();
    await scheduler.tick();
    await scheduler.tick();
    expect(runsOf('reports-nightly')).toHaveLength(3);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, { nextRunAt: number }>;
    expect(new Date(saved['reports-nightly']!.nextRunAt).toISOString()).toBe('2026-01-06T02:00:00.000Z');
  });
});
