// Bulk invitations run as a job: the route checks the request and writes the job; the runner invites
// row by row and reports a result per row (created, already a member, already invited, invalid
// email, duplicate in the batch). A second run of the same job skips the rows already reported and recognises the
// invitations it made before a crash, so nobody is invited twice by one job.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { actorSchema } from '../../events/envelope.ts';
import { actorOf, tenantIdOf, type CallerContext } from '../../libs/auth/caller.ts';
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { JobItem } from '../../libs/data/entities.ts';
import type { Actor } from '../../libs/data/outbox.ts';
import { newJobItem, type JobProgress, type JobRunner } from '../../libs/jobs/job.ts';
import { consoleUrlOf } from '../../libs/mail/console.ts';
import {
  checkGrantableRoles,
  planLimitsOf,
  invitingContext,
  type InvitationsDeps,
  type InvitingContext,
} from './context.ts';
import { createInvitationEntities } from './entities.ts';
import { againstPending, classifyRows, invitationExpiryDays, maxBulkRows } from './policy.ts';
import { createInvitationStore, type InvitationStore } from './store.ts';
import { actorRef, newInvitationWrites } from './writes.ts';

export const bulkInvitationJobKind = 'invitations.bulk';
/** Rows between two progress reports: each report rewrites the job's results. */
const reportEvery = 25;

const bulkRow = z.object({ email: z.string(), roles: z.array(z.string()) });
const bulkInput = z.object({
  rows: z.array(bulkRow).max(maxBulkRows),
  actor: actorSchema,
  inviterName: z.string().optional(),
  /** Jobs written before the flag existed replaced pending invitations; from now on only when asked. */
  replacePending: z.boolean().default(false),
});
type BulkInput = z.infer<typeof bulkInput>;

export const bulkRowResults = [
  'created',
  'already_member',
  'already_invited',
  'invalid_email',
  'duplicate_in_batch',
] as const;

export const bulkRowResult = z.object({
  row: z.number().int(),
  email: z.string(),
  result: z.enum(bulkRowResults),
  /** The invitation created, or for already_invited the pending one left as it was. */
  invitationId: z.string().optional(),
  /** For a row created with `replacePending`: the pending invitation it revoked. */
  replacedInvitationId: z.string().optional(),
  /** For a duplicate: the earlier row with the same email. */
  duplicateOf: z.number().int().optional(),
});
export type BulkRowResult = z.infer<typeof bulkRowResult>;

/** Checks the request's roles and writes the job; the runner does the rest. */
export async function startBulkInvitations(
  deps: InvitationsDeps,
  caller: CallerContext,
  rows: ReadonlyArray<{ email: string; roles: string[] }>,
  options: { replacePending?: boolean | undefined } = {},
): Promise<JobItem> {
  const tenantId = tenantIdOf(caller);
  const context = await invitingContext(deps, tenantId, caller);
  await checkGrantableRoles(
    deps.store,
    context,
    rows.flatMap((row, i) =>
      row.roles.map((role, j) => ({ role, path: `body.invitations.${i}.roles.${j}` })),
    ),
  );
  const actor = actorOf(caller);
  const input: BulkInput = {
    rows: rows.map((r) => ({ email: r.email, roles: [...new Set(r.roles)] })),
    actor,
    ...(context.inviter ? { inviterName: context.inviter.name } : {}),
    replacePending: options.replacePending === true,
  };
  const job = newJobItem(
    {
      tenantId,
      kind: bulkInvitationJobKind,
      input,
      total: rows.length,
      createdBy: actorRef(actor),
      retentionDays: planLimitsOf(deps.deployment, context.tenant).retentionDays,
    },
    deps.clock(),
  );
  await deps.store.createJob(job);
  return job;
}

export interface BulkRunDeps {
  store: InvitationStore;
  deployment: InvitationsDeps['deployment'];
  consoleUrl: string;
  mailBox: InvitationsDeps['mailBox'];
  clock: () => Date;
}

/** What every row of one run shares. */
interface BulkRun {
  job: JobItem;
  /** The roles were checked against the caller when the job was started. */
  context: Pick<InvitingContext, 'tenant' | 'expiryDays'>;
  actor: Actor;
  inviterName: string | undefined;
  replacePending: boolean;
}

async function inviteRow(
  deps: BulkRunDeps,
  run: BulkRun,
  email: string,
  roles: string[],
): Promise<Pick<BulkRowResult, 'result' | 'invitationId' | 'replacedInvitationId'>> {
  const { store } = deps;
  const { job, context, actor } = run;
  const [member, sent] = await Promise.all([
    store.memberByEmail(job.tenantId, email),
    store.invitationsForEmail(job.tenantId, email),
  ]);
  // Made by an earlier run of this job that stopped before reporting the row.
  const mine = sent.find((i) => i.jobId === job.jobId);
  if (mine) return { result: 'created', invitationId: mine.invitationId };
  if (member) return { result: 'already_member' };
  const now = deps.clock();
  const outcome = againstPending(sent, now, run.replacePending);
  if (outcome.kind === 'already_invited') {
    return { result: 'already_invited', invitationId: outcome.pending.invitationId };
  }
  const { replaced } = outcome;
  const writes = newInvitationWrites({
    tenantId: job.tenantId,
    tenantName: context.tenant.name,
    email,
    roles,
    actor,
    inviterName: run.inviterName,
    jobId: job.jobId,
    replacedInvitationId: replaced?.invitationId,
    now,
    expiryDays: context.expiryDays,
    consoleUrl: deps.consoleUrl,
    mailBox: deps.mailBox,
  });
  await store.createInvitation(writes, replaced, actor);
  return {
    result: 'created',
    invitationId: writes.invitation.invitationId,
    ...(replaced ? { replacedInvitationId: replaced.invitationId } : {}),
  };
}

function previousResults(job: JobItem): BulkRowResult[] {
  const parsed = z.array(bulkRowResult).safeParse(job.results ?? []);
  return parsed.success ? parsed.data : [];
}

export async function runBulkInvitations(
  job: JobItem,
  progress: JobProgress,
  deps: BulkRunDeps,
): Promise<void> {
  const input = bulkInput.parse(job.input);
  const { store } = deps;
  const [tenant, settings] = await Promise.all([
    store.getTenant(job.tenantId),
    store.getSettings(job.tenantId),
  ]);
  if (!tenant) throw new Error(`tenant ${job.tenantId} of job ${job.jobId} does not exist`);
  const run: BulkRun = {
    job,
    context: { tenant, expiryDays: invitationExpiryDays(settings, deps.deployment) },
    actor: input.actor,
    inviterName: input.inviterName,
    replacePending: input.replacePending,
  };
  const checks = classifyRows(input.rows);
  const results = previousResults(job);

  const report = () => {
    const succeeded = results.filter((r) => r.result === 'created').length;
    return progress.update({
      processed: results.length,
      succeeded,
      failed: results.length - succeeded,
      results,
    });
  };

  for (let row = results.length; row < input.rows.length; row += 1) {
    const check = checks[row]!;
    const given = input.rows[row]!;
    if (check.kind === 'invalid_email') results.push({ row, email: given.email, result: 'invalid_email' });
    else if (check.kind === 'duplicate_in_batch') {
      results.push({ row, email: given.email, result: 'duplicate_in_batch', duplicateOf: check.firstRow });
    } else {
      const outcome = await inviteRow(deps, run, check.email, given.roles);
      results.push({ row, email: check.email, ...outcome });
    }
    if (results.length % reportEvery === 0) await report();
  }
  await report();
}

export interface BulkInvitationRunnerDeps {
  config: Pick<RuntimeConfig, 'tableName' | 'directoryTableName' | 'deployment'>;
  dynamodb: DynamoDBClient;
  /** Seals the invitation mails: the mail key. */
  mailBox: InvitationsDeps['mailBox'];
  clock?: () => Date;
}

/** The runner of `invitations.bulk` jobs, for functions/jobs/registry.ts. */
export function createBulkInvitationRunner(deps: BulkInvitationRunnerDeps): JobRunner {
  const entities = createInvitationEntities({
    client: deps.dynamodb,
    tableName: deps.config.tableName,
    directoryTableName: deps.config.directoryTableName,
  });
  const runDeps: BulkRunDeps = {
    store: createInvitationStore(entities),
    deployment: deps.config.deployment,
    consoleUrl: consoleUrlOf(deps.config.deployment),
    mailBox: deps.mailBox,
    clock: deps.clock ?? (() => new Date()),
  };
  return (job, progress) => runBulkInvitations(job, progress, runDeps);
}
