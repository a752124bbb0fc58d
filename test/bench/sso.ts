// SAML sign-in latency on one machine, end to end as a browser drives it: the app's start, the local
// IdP's sign-in page and post, the ACS, and the code exchange through the user pool's custom
// authentication; and how much of it is Plinth's (start, ACS, exchange) rather than the IdP's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { tenantPermissions } from '../../libs/auth/permissions.ts';
import { createApi } from '../support/http.ts';
import { signInThroughSamlIdp } from '../support/saml-sign-in.ts';
import { percentile } from './latency.ts';

export async function printSamlSignInFigures(signIns = 40): Promise<void> {
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
    const metadataXml = await (await fetch(runtime.samlIdp.metadataUrl)).text();
    await api('POST', '/v1/sso/connections', {
      token,
      body: {
        type: 'saml',
        name: 'Bench IdP',
        saml: { metadataXml },
        roleMapping: [{ group: 'admins', roles: ['admin'] }],
      },
    });
    const target = {
      apiUrl: runtime.apiUrl,
      idpUrl: runtime.samlIdp.url,
      redirectUri: 'http://localhost:5173/cb',
    };
    const person = runtime.samlIdp.users[0]!;

    const total: number[] = [];
    const plinth: number[] = [];
    // The first sign-in provisions the user and warms the functions; it is not counted.
    for (let i = 0; i <= signIns; i++) {
      const started = performance.now();
      const result = await signInThroughSamlIdp(target, person);
      const exchangeStarted = performance.now();
      const tokens = await api('POST', '/v1/sso/token', {
        body: {
          grant_type: 'authorization_code',
          code: result.landed.searchParams.get('code'),
          code_verifier: result.verifier,
        },
      });
      if (tokens.status !== 200) throw new Error(`the exchange answered ${tokens.status}`);
      const ended = performance.now();
      if (i === 0) continue;
      total.push(ended - started);
      plinth.push(result.plinthMs + (ended - exchangeStarted));
    }
    total.sort((a, b) => a - b);
    plinth.sort((a, b) => a - b);
    const share = plinth.reduce((a, b) => a + b, 0) / total.reduce((a, b) => a + b, 0);
    console.log(
      `\nSAML sign-in on one machine (start → IdP page → IdP post → ACS → code exchange), ${signIns} sign-ins after one warm-up\n`,
    );
    console.log(
      `end to end: p50 ${percentile(total, 50).toFixed(1)} ms, p99 ${percentile(total, 99).toFixed(1)} ms`,
    );
    console.log(
      `Plinth's part (start, ACS, exchange): p50 ${percentile(plinth, 50).toFixed(1)} ms, p99 ${percentile(plinth, 99).toFixed(1)} ms, ${(share * 100).toFixed(0)} % of the total`,
    );
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
