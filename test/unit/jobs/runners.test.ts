import { describe, expect, it } from 'vitest';
import { createJobDispatcher, type JobMessage } from '../../../functions/jobs/runners.ts';

describe('job dispatcher', () => {
  it('runs the runner registered for the job kind', async () => {
    const ran: JobMessage[] = [];
    const run = createJobDispatcher({ export: (job) => Promise.resolve(void ran.push(job)) });
    await run(JSON.stringify({ jobId: 'job_1', tenantId: 'ten_1', kind: 'export' }));
    expect(ran).toEqual([{ jobId: 'job_1', tenantId: 'ten_1', kind: 'export', input: {} }]);
  });

  it('fails an unknown kind or a malformed message so it is retried and then parked in the DLQ', async () => {
    const run = createJobDispatcher({});
    await expect(run(JSON.stringify({ jobId: 'j', tenantId: 't', kind: 'nope' }))).rejects.toThrow(
      /no runner/,
    );
    await expect(run(JSON.stringify({ kind: 'x' }))).rejects.toThrow(/malformed job message/);
  });
});
