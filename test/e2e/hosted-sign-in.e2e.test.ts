// The console's way in, on `npm start`'s runtime: an invited owner signs in on the local user pool's
// hosted page by authorization code + PKCE, and the API accepts the access token it gets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConsoleOrigin } from '../../infra/console-client.ts';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { Browser, exchange, formOf, pkce, redirectParams } from '../support/hosted-sign-in.ts';
import { createApi } from '../support/http.ts';
import { invitationSteps } from '../support/sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-hosted-'));
const password = 'Correct-Horse-42!';
let runtime: Runtime;
let api: ReturnType<typeof createApi>;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  api = createApi(runtime.apiUrl);
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('hosted sign-in on one machine', () => {
  it('authorize → sign-in page → code → token → GET /v1/me, then sign out', async () => {
    const steps = invitationSteps({
      api,
      pool: { ...runtime.identity, region: runtime.region },
      adminApiKey: runtime.adminApiKey,
      region: runtime.region,
      password,
    });
    const { tenantId, owner } = await steps.tenantWithOwner('hosted');
    const { hostedUrl, consoleClientId } = runtime.identity;
    const browser = new Browser(hostedUrl);
    const { verifier, challenge } = pkce();

    const authorize = new URL(`${hostedUrl}/oauth2/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: consoleClientId,
      redirect_uri: localConsoleOrigin,
      state: 'e2e',
      scope: 'openid email profile aws.cognito.signin.user.admin',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(name, value);
    const page = await browser.get(authorize.toString());
    expect(page.status).toBe(200);
    const back = await browser.post('/login', { ...(await formOf(page)), username: owner.email, password });
    const code = redirectParams(back).get('code')!;

    const tokens = await exchange(hostedUrl, {
      grant_type: 'authorization_code',
      client_id: consoleClientId,
      code,
      code_verifier: verifier,
      redirect_uri: localConsoleOrigin,
    });
    expect(tokens.status).toBe(200);
    const me = await api('GET', '/v1/me', { token: String(tokens.body.access_token) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: owner.userId, email: owner.email, tenantId });

    const out = await browser.get(
      `${hostedUrl}/logout?client_id=${consoleClientId}&logout_uri=${encodeURIComponent(localConsoleOrigin)}`,
    );
    expect(out.headers.get('location')).toBe(localConsoleOrigin);
  });
});
