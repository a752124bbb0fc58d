// Invitations on one machine over HTTP: a token works once and not after it expired, was replaced or
// revoked; another tenant's invitation does not exist; bulk invites report a result per row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { eventually } from '../support/eventually.ts';
import { createApi } from '../support/http.ts';
import { invitationSteps, mailedInvitationToken, type SignedInUser } from '../support/sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;
type Json = Record<string, unknown>;

const password = 'Correct-Horse-42!';
const dayMillis = 86_400_000;
const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-invitations-'));
let runtime: Runtime;
let api: ReturnType<typeof createApi>;
let steps: ReturnType<typeof invitationSteps>;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  api = createApi(runtime.apiUrl);
  const pool = { ...runtime.identity, region: runtime.region };
  steps = invitationSteps({ api, pool, adminApiKey: runtime.adminApiKey, region: runtime.region, password });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `owner` invites `email` as a member; answers the invitation and the token mailed for it. */
async function invite(owner: SignedInUser, email: string): Promise<{ invitation: Json; token: string }> {
  const created = await api('POST', '/v1/invitations', {
    token: owner.token,
    body: { email, roles: ['member'] },
  });
  expect(created.status).toBe(201);
  return { invitation: created.body, token: await mailedInvitationToken(api, email) };
}

function accept(token: string, name = 'Invited Person') {
  return api('POST', '/v1/invitations/accept', { body: { token, name, password } });
}

describe('invitation tokens', () => {
  it('a token works once: used again it is 409 invitation_used; an unknown token is 404', async () => {
    const { owner } = await steps.tenantWithOwner('once');
    const { token } = await invite(owner, 'once@once.test');

    expect((await accept(token, 'First')).status).toBe(201);
    const reused = await accept(token, 'Second');
    expect(reused.status).toBe(409);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body.code).toBe('invitation_used');

    const unknown = await accept(`pit_${'A'.repeat(43)}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'invitation_not_found']);
  });

  it('an expired token is 409 invitation_expired and the invitation reads as expired', async () => {
    const { owner } = await steps.tenantWithOwner('expiry');
    const { invitation, token } = await invite(owner, 'late@expiry.test');
    const expiresAt = Date.parse(invitation.expiresAt as string);
    expect(expiresAt - Date.now()).toBeGreaterThan(6 * dayMillis);

    // The handlers run in this process: moving its clock past the expiry is the week going by.
    vi.setSystemTime(expiresAt + 60_000);
    const late = await accept(token);
    vi.useRealTimers();
    expect([late.status, late.body.code]).toEqual([409, 'invitation_expired']);

    const read = await api('GET', `/v1/invitations/${String(invitation.id)}`, { token: owner.token });
    expect(read.body.status).toBe('expired');
    const expired = await api<{ items: Json[] }>('GET', '/v1/invitations?status=expired', {
      token: owner.token,
    });
    expect(expired.body.items.map((i) => i.id)).toEqual([invitation.id]);
  });

  it('a resent invitation kills the old token; a revoked one is 409 invitation_revoked', async () => {
    const { owner } = await steps.tenantWithOwner('resend');
    const resent = await invite(owner, 'resent@resend.test');
    const again = await api('POST', `/v1/invitations/${String(resent.invitation.id)}/resend`, {
      token: owner.token,
      body: {},
    });
    expect(again.status).toBe(200);
    const newToken = await mailedInvitationToken(api, 'resent@resend.test', [resent.token]);
    expect((await accept(resent.token)).body.code).toBe('invitation_not_found');
    expect((await accept(newToken)).status).toBe(201);

    const revoked = await invite(owner, 'revoked@resend.test');
    const revoke = await api('POST', `/v1/invitations/${String(revoked.invitation.id)}/revoke`, {
      token: owner.token,
      body: {},
    });
    expect(revoke.body.status).toBe('revoked');
    const refused = await accept(revoked.token);
    expect([refused.status, refused.body.code]).toEqual([409, 'invitation_revoked']);
  });

  it("another tenant's invitation is 404 to read, resend or revoke, and stays pending", async () => {
    const a = await steps.tenantWithOwner('invites-a');
    const b = await steps.tenantWithOwner('invites-b');
    const { invitation } = await invite(b.owner, 'guest@invites-b.test');
    const path = `/v1/invitations/${String(invitation.id)}`;

    const read = await api('GET', path, { token: a.owner.token });
    expect([read.status, read.body.code]).toEqual([404, 'not_found']);
    expect((await api('POST', `${path}/resend`, { token: a.owner.token, body: {} })).status).toBe(404);
    expect((await api('POST', `${path}/revoke`, { token: a.owner.token, body: {} })).status).toBe(404);
    const listed = await api<{ items: Json[] }>('GET', '/v1/invitations', { token: a.owner.token });
    expect(listed.body.items.map((i) => i.email)).not.toContain('guest@invites-b.test');

    const own = await api('GET', path, { token: b.owner.token });
    expect([own.status, own.body.status]).toEqual([200, 'pending']);
  });
});

describe('bulk invitations', () => {
  it('run as a job whose result says, per row, created, invalid email, duplicate or already a member', async () => {
    const { owner } = await steps.tenantWithOwner('bulk');
    await steps.invitedUser(owner, 'member@bulk.test', ['member']);

    const started = await api('POST', '/v1/invitations/bulk', {
      token: owner.token,
      body: {
        roles: ['member'],
        invitations: [
          { email: 'ann@bulk.test' },
          { email: 'not-an-email' },
          { email: 'ANN@bulk.test' },
          { email: 'member@bulk.test' },
          { email: 'bob@bulk.test', roles: ['admin'] },
        ],
      },
    });
    expect(started.status).toBe(202);
    const jobPath = `/v1/jobs/${String(started.body.id)}`;
    expect(started.headers.get('location')).toBe(jobPath);
    expect(started.body).toMatchObject({ kind: 'invitations.bulk', progress: { total: 5 } });

    const job = await eventually(async () => {
      const res = await api('GET', jobPath, { token: owner.token });
      return res.body.status === 'succeeded' || res.body.status === 'failed' ? res.body : undefined;
    }, 'the bulk invitation job to finish');
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { total: 5, processed: 5, succeeded: 2, failed: 3, percent: 100 },
    });
    const anInvitationId: unknown = expect.stringMatching(/^inv_[0-9A-Z]{26}$/);
    expect(job.results).toEqual([
      { row: 0, email: 'ann@bulk.test', result: 'created', invitationId: anInvitationId },
      { row: 1, email: 'not-an-email', result: 'invalid_email' },
      { row: 2, email: 'ANN@bulk.test', result: 'duplicate_in_batch', duplicateOf: 0 },
      { row: 3, email: 'member@bulk.test', result: 'already_member' },
      { row: 4, email: 'bob@bulk.test', result: 'created', invitationId: anInvitationId },
    ]);

    const pending = await api<{ items: Json[] }>('GET', '/v1/invitations?status=pending', {
      token: owner.token,
    });
    expect(pending.body.items.map((i) => [i.email, i.roles]).sort()).toEqual([
      ['ann@bulk.test', ['member']],
      ['bob@bulk.test', ['admin']],
    ]);

    const bob = await steps.acceptMailedInvitation('bob@bulk.test', 'Bob');
    const me = await api('GET', '/v1/me', { token: bob.token });
    expect(me.body).toMatchObject({ email: 'bob@bulk.test', roles: ['admin'] });
  });
});
