// Bulk invitations as a job against a real DynamoDB (Local): a result per row, and a second run of
// the same job (after a crash) that neither invites anyone twice nor loses a row.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBulkInvitationRunner,
  startBulkInvitations,
  type BulkRowResult,
} from '../../../functions/invitations/bulk.ts';
import { invite } from '../../../functions/invitations/invitations.ts';
import type { JobItem } from '../../../libs/data/entities.ts';
import type { JobProgressUpdate } from '../../../libs/jobs/job.ts';
import {
  apiKeyCaller,
  createFixture,
  mailsTo,
  problemOf,
  seedTenant,
  seedUser,
  type Fixture,
} from './fixtures.ts';
import { testMailBox } from '../../support/mail.ts';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture();
});

afterEach(() => fixture.setNow(undefined));

/** Runs the job like the jobs worker, keeping what each progress report stored. */
async function run(job: JobItem): Promise<JobProgressUpdate[]> {
  const runner = createBulkInvitationRunner({
    config: {
      tableName: fixture.tables.tableName,
      directoryTableName: fixture.tables.directoryTableName,
      deployment: fixture.deps.deployment,
    },
    dynamodb: fixture.tables.client,
    mailBox: testMailBox,
  });
  const reports: JobProgressUpdate[] = [];
  await runner(job, {
    update: (p) => {
      reports.push(p);
      return Promise.resolve();
    },
  });
  return reports;
}

const results = (reports: JobProgressUpdate[]) => reports.at(-1)?.results as BulkRowResult[];

describe('bulk invitations', () => {
  it('reports created, already_member, invalid_email and duplicate_in_batch per row, in order', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    await seedUser(fixture, tenantId, { email: 'member@example.test' });
    const job = await startBulkInvitations(fixture.deps, ownerCaller, [
      { email: 'one@example.test', roles: ['member'] },
      { email: 'not-an-email', roles: ['member'] },
      { email: 'Member@example.test', roles: ['member'] },
      { email: 'ONE@example.test', roles: ['admin'] },
      { email: 'two@example.test', roles: ['auditor'] },
    ]);

    const reports = await run(job);

    expect(results(reports).map((r) => [r.row, r.email, r.result])).toEqual([
      [0, 'one@example.test', 'created'],
      [1, 'not-an-email', 'invalid_email'],
      [2, 'member@example.test', 'already_member'],
      [3, 'ONE@example.test', 'duplicate_in_batch'],
      [4, 'two@example.test', 'created'],
    ]);
    expect(results(reports)[3]?.duplicateOf).toBe(0);
    expect(reports.at(-1)).toMatchObject({ processed: 5, succeeded: 2, failed: 3 });
    const two = await fixture.deps.store.invitationsForEmail(tenantId, 'two@example.test');
    expect(two.map((i) => [i.roles, i.jobId])).toEqual([[['auditor'], job.jobId]]);
    expect(await mailsTo(fixture, tenantId, 'one@example.test')).toHaveLength(1);
  });

  it('a row whose email has a pending invitation is already_invited and leaves it as it was', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const pending = await invite(fixture.deps, ownerCaller, { email: 'boss@example.test', roles: ['admin'] });
    const job = await startBulkInvitations(fixture.deps, ownerCaller, [
      { email: 'Boss@example.test', roles: ['member'] },
    ]);

    const reports = await run(job);

    expect(results(reports)).toEqual([
      { row: 0, email: 'boss@example.test', result: 'already_invited', invitationId: pending.invitationId },
    ]);
    expect(reports.at(-1)).toMatchObject({ processed: 1, succeeded: 0, failed: 1 });
    const sent = await fixture.deps.store.invitationsForEmail(tenantId, 'boss@example.test');
    expect(sent.map((i) => [i.status, i.roles])).toEqual([['pending', ['admin']]]);
    expect(await mailsTo(fixture, tenantId, 'boss@example.test')).toHaveLength(1);
  });

  it('with replacePending, such a row replaces the pending invitation and names it', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const pending = await invite(fixture.deps, ownerCaller, { email: 'swap@example.test', roles: ['admin'] });
    const job = await startBulkInvitations(
      fixture.deps,
      ownerCaller,
      [{ email: 'swap@example.test', roles: ['member'] }],
      { replacePending: true },
    );

    const [row] = results(await run(job));

    expect(row).toMatchObject({ result: 'created', replacedInvitationId: pending.invitationId });
    expect((await fixture.deps.store.getInvitation(tenantId, pending.invitationId))?.status).toBe('revoked');
    expect((await fixture.deps.store.getInvitation(tenantId, row!.invitationId!))?.roles).toEqual(['member']);
  });

  it('a second run after a crash skips reported rows and recognises the invitations it already made', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const rows = Array.from({ length: 30 }, (_, i) => ({ email: `p${i}@example.test`, roles: ['member'] }));
    const job = await startBulkInvitations(fixture.deps, ownerCaller, rows);
    const first = await run(job);
    // The worker stopped after the first report (25 rows) was stored but before the last one.
    const stored = first[0]!;

    const second = await run({ ...job, results: stored.results });

    expect(stored.processed).toBe(25);
    expect(results(second)).toEqual(results(first));
    for (const i of [0, 24, 25, 29]) {
      expect(await fixture.deps.store.invitationsForEmail(tenantId, `p${i}@example.test`)).toHaveLength(1);
      expect(await mailsTo(fixture, tenantId, `p${i}@example.test`)).toHaveLength(1);
    }
  });

  it('refuses a request naming an unknown role before any job exists', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);

    const problem = await problemOf(
      startBulkInvitations(fixture.deps, ownerCaller, [
        { email: 'a@example.test', roles: ['member'] },
        { email: 'b@example.test', roles: ['wizard'] },
      ]),
    );

    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'body.invitations.1.roles.0', code: 'unknown_role' }),
    ]);
    const { data: jobs } = await fixture.entities.job.query.byTenant({ tenantId }).go();
    expect(jobs).toHaveLength(0);
  });

  it('refuses rows granting permissions the caller lacks before any job exists; what it holds goes through', async () => {
    const { tenantId } = await seedTenant(fixture);
    const key = apiKeyCaller(tenantId, ['invitations:write', 'tenant:read', 'users:read']);

    const refused = await problemOf(
      startBulkInvitations(fixture.deps, key, [
        { email: 'a@example.test', roles: ['member'] },
        { email: 'b@example.test', roles: ['admin'] },
      ]),
    );
    const { data: none } = await fixture.entities.job.query.byTenant({ tenantId }).go();
    const job = await startBulkInvitations(fixture.deps, key, [
      { email: 'a@example.test', roles: ['member'] },
    ]);

    expect([refused.status, refused.code]).toEqual([403, 'permission_not_held']);
    expect(refused.extensions?.permissions).toContain('api-keys:write');
    expect(none).toHaveLength(0);
    expect(job.kind).toBe('invitations.bulk');
  });
});
