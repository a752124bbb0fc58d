// Domain verification through `npm start`'s runtime: the SSO function asks the local DNS server,
// whose records a user edits in `<dataDir>/dns-records.json`, and the events reach the bus.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { eventually } from '../support/eventually.ts';
import { createApi } from '../support/http.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-sso-'));
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

describe('verified domains on one machine', () => {
  it('claim → publish the TXT record in dns-records.json → verify → domain.verified on the bus', async () => {
    const tenant = await api('POST', '/v1/platform/tenants', {
      token: runtime.adminApiKey,
      body: { name: 'Acme', slug: 'acme-domains', plan: 'starter', region: 'us-east-1' },
    });
    const tenantId = tenant.body.id as string;
    const key = await api('POST', `/v1/platform/tenants/${tenantId}/api-keys`, {
      token: runtime.adminApiKey,
      body: { name: 'sso', scopes: ['sso:read', 'sso:write'] },
    });
    const token = key.body.secret as string;

    const claim = await api('POST', '/v1/domains', { token, body: { domain: 'acme.test' } });
    expect(claim.status).toBe(201);
    const record = claim.body.verification as { name: string; value: string };

    const early = await api('POST', '/v1/domains/acme.test/verify', { token });
    expect([early.status, early.body.code]).toEqual([422, 'domain_not_verified']);

    // As a user would: by hand, in the records file the banner names.
    writeFileSync(join(dataDir, 'dns-records.json'), JSON.stringify({ [record.name]: [record.value] }));
    const verified = await api('POST', '/v1/domains/acme.test/verify', { token });
    expect([verified.status, verified.body.status]).toEqual([200, 'verified']);

    const types = await eventually(() => {
      const mine = runtime.bus
        .events()
        .map((p) => p.event)
        .filter((e) => (e.detail as { tenantId?: string }).tenantId === tenantId)
        .map((e) => e['detail-type']);
      return mine.includes('domain.verified') ? mine : undefined;
    }, 'domain.verified on the bus');
    expect(types).toEqual(['tenant.created', 'api_key.created', 'domain.created', 'domain.verified']);
  });
});
