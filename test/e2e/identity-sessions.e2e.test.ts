// Revoked sessions over HTTP on one machine: once Plinth revokes a sign-in (one session, all of a
// user's, or the user deactivated), the local user pool stops refreshing it, as Cognito does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { createApi } from '../support/http.ts';
import {
  invitationSteps,
  refreshTokens,
  signInForTokens,
  type SignedInUser,
  type UserPoolTarget,
} from '../support/sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;

const password = 'Correct-Horse-42!';
const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-sessions-'));
let runtime: Runtime;
let api: ReturnType<typeof createApi>;
let pool: UserPoolTarget;
let steps: ReturnType<typeof invitationSteps>;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  api = createApi(runtime.apiUrl);
  pool = { ...runtime.identity, region: runtime.region };
  steps = invitationSteps({ api, pool, adminApiKey: runtime.adminApiKey, region: runtime.region, password });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function sessionIdOf(tokens: AuthenticationResultType): string {
  const payload = tokens.AccessToken!.split('.')[1]!;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { origin_jti: string })
    .origin_jti;
}

/** A sign-in whose session the API has seen (its first call opens it). */
async function openedSession(user: SignedInUser): Promise<AuthenticationResultType> {
  const tokens = await signInForTokens(pool, { email: user.email, password });
  expect((await api('GET', '/v1/me', { token: tokens.AccessToken })).status).toBe(200);
  return tokens;
}

/** Refreshes as a first-party client does: naming its session, so a revoked one is refused. */
function refresh(tokens: AuthenticationResultType) {
  return refreshTokens(pool, tokens.RefreshToken!, { session_id: sessionIdOf(tokens) });
}

const revokedRefresh = { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' };

describe('refreshing a revoked session', () => {
  it('revoking one session stops its refresh; another session of the user keeps refreshing', async () => {
    const { owner } = await steps.tenantWithOwner('revoke-one');
    const laptop = await openedSession(owner);
    const phone = await openedSession(owner);

    const revoked = await api('DELETE', `/v1/me/sessions/${sessionIdOf(phone)}`, {
      token: laptop.AccessToken,
    });

    expect(revoked.status).toBe(204);
    await expect(refresh(phone)).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: expect.stringContaining('The session has been revoked') as string,
    });
    const refreshed = await refresh(laptop);
    expect((await api('GET', '/v1/me', { token: refreshed?.AccessToken })).status).toBe(200);
  });

  it('revoke-all stops the refresh of every session of the user', async () => {
    const { owner } = await steps.tenantWithOwner('revoke-all');
    const laptop = await openedSession(owner);
    const phone = await openedSession(owner);

    const revoked = await api('POST', '/v1/me/sessions/revoke-all', { token: laptop.AccessToken, body: {} });

    expect(revoked.status).toBe(200);
    await expect(refresh(laptop)).rejects.toMatchObject(revokedRefresh);
    await expect(refresh(phone)).rejects.toMatchObject(revokedRefresh);
    // Most likely in the revoke's second: only sign-ins up to the revoke's millisecond are refused.
    await openedSession(owner);
  });

  it('deactivating a user stops the refresh of their sessions', async () => {
    const { owner } = await steps.tenantWithOwner('deactivate-refresh');
    const leaving = await steps.invitedUser(owner, 'leaving@deactivate-refresh.test', ['member']);
    const session = await openedSession(leaving);

    const deactivated = await api('POST', `/v1/users/${leaving.userId}/deactivate`, {
      token: owner.token,
      body: {},
    });

    expect(deactivated.status).toBe(200);
    await expect(refresh(session)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
  });
});
