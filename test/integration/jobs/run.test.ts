// Running jobs against a real DynamoDB (Local): progress, the final status with its event, retries.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEntities, type Entities, type JobItem } from '../../../libs/data/entities.ts';
import { newJobItem, jobResource, type JobRunner } from '../../../libs/jobs/job.ts';
import { runJob } from '../../../functions/jobs/run.ts';
import { createJobStore, type JobStore } from '../../../functions/jobs/store.ts';
import { createTestTables } from '../../support/tables.ts';

const tenantId = 'ten_01JD0000000000000000000001';
let entities: Entities;
let store: JobStore;

beforeAll(async () => {
  const tables = await createTestTables();
  entities = createEntities({
    client: tables.client,
    tableName: tables.tableName,
    directoryTableName: tables.directoryTableName,
  });
  store = createJobStore(entities);
});

async function queuedJob(kind: string, total: number): Promise<JobItem> {
  const job = newJobItem(
    { tenantId, kind, input: { rows: total }, total, createdBy: 'user:usr_1', retentionDays: 7 },
    new Date(),
  );
  await entities.job.create(job).go();
  return job;
}

async function completedEvents(jobId: string) {
  const { data } = await entities.event.query.byTenant({ tenantId }).go();
  return data.filter((e) => e.type === 'job.completed' && (e.data as { jobId: string }).jobId === jobId);
}

const once = { receiveCount: 1, maxReceiveCount: 3 };

describe('running a job', () => {
  it('reports progress and results, then records success with one job.completed event', async () => {
    const job = await queuedJob('count', 3);
    const seen: string[] = [];
    const count: JobRunner = async (running, progress) => {
      seen.push(running.status);
      await progress.update({ processed: 3, succeeded: 2, failed: 1, results: ['ok', 'ok', 'bad'] });
    };

    await runJob(job, once, { store, runners: { count } });
    await runJob(job, once, { store, runners: { count } });

    const stored = jobResource((await store.getJob(tenantId, job.jobId))!);
    expect(seen).toEqual(['queued']);
    expect(stored).toMatchObject({
      status: 'succeeded',
      progress: { total: 3, processed: 3, succeeded: 2, failed: 1, percent: 100 },
      results: ['ok', 'ok', 'bad'],
    });
    expect(await completedEvents(job.jobId)).toHaveLength(1);
  });

  it('keeps a failing job retryable until the last receive, then marks it failed with the reason', async () => {
    const job = await queuedJob('broken', 1);
    const broken: JobRunner = () => Promise.reject(new Error('the export bucket is gone'));

    await expect(
      runJob(job, { receiveCount: 1, maxReceiveCount: 2 }, { store, runners: { broken } }),
    ).rejects.toThrow();
    expect((await store.getJob(tenantId, job.jobId))!.status).toBe('running');

    await expect(
      runJob(job, { receiveCount: 2, maxReceiveCount: 2 }, { store, runners: { broken } }),
    ).rejects.toThrow();
    const failed = (await store.getJob(tenantId, job.jobId))!;
    expect(failed).toMatchObject({ status: 'failed', error: 'the export bucket is gone' });
    expect((await completedEvents(job.jobId))[0]?.data).toMatchObject({ status: 'failed' });
  });

  it('fails a job of a kind nobody runs instead of dropping it', async () => {
    const job = await queuedJob('unknown-kind', 1);
    await expect(
      runJob(job, { receiveCount: 1, maxReceiveCount: 1 }, { store, runners: {} }),
    ).rejects.toThrow(/no runner/);
    expect((await store.getJob(tenantId, job.jobId))!.status).toBe('failed');
  });
});
