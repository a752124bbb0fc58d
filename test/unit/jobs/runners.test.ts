import { describe, expect, it } from 'vitest';
import { parseJobMessage, runnerFor } from '../../../functions/jobs/runners.ts';

describe('job messages and runners', () => {
  it('reads a job message naming the job and its tenant', () => {
    expect(parseJobMessage(JSON.stringify({ jobId: 'job_1', tenantId: 'ten_1', kind: 'export' }))).toEqual({
      jobId: 'job_1',
      tenantId: 'ten_1',
      kind: 'export',
    });
  });

  it('fails a malformed message or an unknown kind, so it is retried and then parked in the DLQ', () => {
    expect(() => parseJobMessage('{')).toThrow(/malformed job message/);
    expect(() => parseJobMessage(JSON.stringify({ kind: 'x' }))).toThrow(/malformed job message/);
    expect(() => runnerFor({}, 'nope')).toThrow(/no runner for job kind "nope"/);
  });
});
