// SSO sign-in latency on one machine, end to end as a browser drives it, for SAML (the app's start,
// the local IdP's page and post, the ACS, the code exchange) and OIDC (the start, the local
// provider's redirects and page, the callback, the exchange); and how much of it is Plinth's.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { tenantPermissions } from '../../libs/auth/permissions.ts';
import { createApi } from '../support/http.ts';
import { CookieBrowser, signInAtProvider } from '../support/oidc-sign-in.ts';
import { signInThroughSamlIdp } from '../support/saml-sign-in.ts';
import { percentile } from './latency.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;
const redirectUri = 'http://localhost:5173/cb';

/** One sign-in: where it landed at the app, its verifier, and the milliseconds in Plinth's hops. */
interface Timed {
  landed: URL;
  verifier: string;
  plinthMs: number;
}

async function oidcSignIn(runtime: Runtime, connectionId: string): Promise<Timed> {
  const person = runtime.oidcIdp.users[0]!;
  const verifier = randomBytes(32).toString('base64url');
  const start = new URL(`${runtime.apiUrl}/v1/sso/authorize`);
  start.search = new URLSearchParams({
    email: person.email,
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const browser = new CookieBrowser();
  let plinthMs = 0;
  const startedAt = performance.now();
  const toProvider = await browser.get(start.toString());
  plinthMs += performance.now() - startedAt;
  const callback = `${runtime.apiUrl}/v1/sso/oidc/${connectionId}/callback`;
  const toPlinth = await signInAtProvider(browser, toProvider.headers.get('location')!, callback, person);
  const callbackAt = performance.now();
  const back = await browser.get(new URL(toPlinth.headers.get('location')!, toPlinth.url).toString());
  plinthMs += performance.now() - callbackAt;
  return { landed: new URL(back.headers.get('location')!), verifier, plinthMs };
}

async function measure(label: string, signIns: number, runtime: Runtime, signIn: () => Promise<Timed>) {
  const api = createApi(runtime.apiUrl);
  const total: number[] = [];
  const plinth: number[] = [];
  // The first sign-in provisions the user and warms the functions; it is not counted.
  for (let i = 0; i <= signIns; i++) {
    const started = performance.now();
    const result = await signIn();
    const exchangeAt = performance.now();
    const tokens = await api('POST', '/v1/sso/token', {
      body: {
        grant_type: 'authorization_code',
        code: result.landed.searchParams.get('code'),
        code_verifier: result.verifier,
      },
    });
    if (tokens.status !== 200) throw new Error(`${label}: the exchange answered ${tokens.status}`);
    const ended = performance.now();
    if (i === 0) continue;
    total.push(ended - started);
    plinth.push(result.plinthMs + (ended - exchangeAt));
  }
  total.sort((a, b) => a - b);
  plinth.sort((a, b) => a - b);
  const share = plinth.reduce((a, b) => a + b, 0) / total.reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(5)} end to end: p50 ${percentile(total, 50).toFixed(1)} ms, p99 ${percentile(total, 99).toFixed(1)} ms; ` +
      `Plinth's part: p50 ${percentile(plinth, 50).toFixed(1)} ms, p99 ${percentile(plinth, 99).toFixed(1)} ms, ${(share * 100).toFixed(0)} % of the total`,
  );
}

export async function printSsoSignInFigures(signIns = 40): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plinth-bench-sso-'));
  const runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  try {
    const api = createApi(runtime.apiUrl);
    const tenant = await api('POST', '/v1/platform/tenants', {
      token: runtime.adminApiKey,
      body: { name: 'Bench', slug: 'bench-sso', region: runtime.region },
    });
    const key = await api('POST', `/v1/platform/tenants/${String(tenant.body.id)}/api-keys`, {
      token: runtime.adminApiKey,
      body: { name: 'bench', scopes: [...tenantPermissions] },
    });
    const token = String(key.body.secret);
    const claim = await api('POST', '/v1/domains', { token, body: { domain: 'acme.test' } });
    const record = claim.body.verification as { name: string; value: string };
    writeFileSync(join(dataDir, 'dns-records.json'), JSON.stringify({ [record.name]: [record.value] }));
    await api('POST', '/v1/domains/acme.test/verify', { token });
    const connect = async (body: Record<string, unknown>) => {
      const created = await api('POST', '/v1/sso/connections', { token, body });
      if (created.status !== 201) throw new Error(`connection: ${JSON.stringify(created.body)}`);
      return String(created.body.id);
    };
    const metadataXml = await (await fetch(runtime.samlIdp.metadataUrl)).text();
    const saml = await connect({ type: 'saml', name: 'Bench SAML', saml: { metadataXml } });

    console.log(
      `\nSSO sign-in on one machine, as a browser drives it, through the code exchange; ${signIns} sign-ins after one warm-up\n`,
    );
    const target = { apiUrl: runtime.apiUrl, idpUrl: runtime.samlIdp.url, redirectUri };
    await measure('SAML', signIns, runtime, () => signInThroughSamlIdp(target, runtime.samlIdp.users[0]!));

    // One enabled connection per tenant is chosen by email; the SAML one steps aside for OIDC.
    await api('PATCH', `/v1/sso/connections/${saml}`, { token, body: { enabled: false } });
    const oidc = await connect({
      type: 'oidc',
      name: 'Bench OIDC',
      oidc: {
        issuer: runtime.oidcIdp.issuer,
        clientId: runtime.oidcIdp.client.clientId,
        clientSecret: runtime.oidcIdp.client.clientSecret,
        scopes: ['openid', 'email', 'profile', 'groups'],
      },
    });
    await measure('OIDC', signIns, runtime, () => oidcSignIn(runtime, oidc));
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
