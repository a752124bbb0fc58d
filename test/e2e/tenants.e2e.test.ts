// The whole local runtime over HTTP, as a user of `npm start` meets it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { createApi } from '../support/http.ts';
import { eventually } from '../support/eventually.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;
type Json = Record<string, unknown>;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-'));
let runtime: Runtime;
let api: ReturnType<typeof createApi>;
let admin: string;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  api = createApi(runtime.apiUrl);
  admin = runtime.adminApiKey;
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function createTenant(slug: string): Promise<Json> {
  const res = await api('POST', '/v1/platform/tenants', {
    token: admin,
    body: { name: `Tenant ${slug}`, slug, plan: 'starter', region: 'us-east-1' },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function createKey(tenantId: string, scopes?: string[]): Promise<string> {
  const res = await api('POST', `/v1/platform/tenants/${tenantId}/api-keys`, {
    token: admin,
    body: { name: 'e2e', ...(scopes ? { scopes } : {}) },
  });
  expect(res.status).toBe(201);
  return res.body.secret as string;
}

describe('tenant lifecycle over HTTP', () => {
  it('create → key → read own tenant → suspend (403) → resume (200) → restart → still works', async () => {
    const tenant = await createTenant('lifecycle');
    expect(tenant).toMatchObject({
      slug: 'lifecycle',
      status: 'active',
      homeRegion: 'us-east-1',
      plan: 'starter',
    });
    const key = await createKey(tenant.id as string);

    const own = await api('GET', '/v1/tenant', { token: key });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(tenant.id);

    const suspended = await api('POST', `/v1/platform/tenants/${String(tenant.id)}/suspend`, {
      token: admin,
      body: { reason: 'unpaid invoice' },
    });
    expect(suspended.body.status).toBe('suspended');

    const refused = await api('GET', '/v1/tenant', { token: key });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('tenant_suspended');

    const missing = await api('GET', `/v1/platform/tenants/ten_01JD0000000000000000000000`, { token: admin });
    expect(missing.body).toMatchObject({
      status: 404,
      instance: '/v1/platform/tenants/ten_01JD0000000000000000000000',
    });

    const again = await api('POST', `/v1/platform/tenants/${String(tenant.id)}/suspend`, {
      token: admin,
      body: { reason: 'twice' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_transition');

    await api('POST', `/v1/platform/tenants/${String(tenant.id)}/resume`, { token: admin });
    expect((await api('GET', '/v1/tenant', { token: key })).status).toBe(200);

    await runtime.stop();
    runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
    api = createApi(runtime.apiUrl);
    expect(runtime.adminApiKey).toBe(admin);

    const afterRestart = await api('GET', '/v1/tenant', { token: key });
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.body.slug).toBe('lifecycle');

    const events = await api<{ items: Json[] }>('GET', `/v1/platform/tenants/${String(tenant.id)}/events`, {
      token: admin,
    });
    expect(events.body.items.map((e) => e.type)).toEqual([
      'tenant.resumed',
      'tenant.suspended',
      'api_key.created',
      'tenant.created',
    ]);
  });

  it('every mutation reaches the event bus through the outbox, as a plinth event for its tenant', async () => {
    const tenant = await createTenant('outbox');
    await api('POST', `/v1/platform/tenants/${String(tenant.id)}/suspend`, {
      token: admin,
      body: { reason: 'audit' },
    });

    const published = await eventually(() => {
      const mine = runtime.bus
        .events()
        .map((p) => p.event)
        .filter((e) => (e.detail as { tenantId?: string }).tenantId === tenant.id);
      return mine.length >= 2 ? mine : undefined;
    }, 'the tenant events on the bus');

    expect(published.map((e) => e['detail-type'])).toEqual(['tenant.created', 'tenant.suspended']);
    expect(published[1]).toMatchObject({
      source: 'plinth',
      detail: { type: 'tenant.suspended', tenantId: tenant.id, data: { reason: 'audit' } },
    });
  });

  it('a revoked key answers 401', async () => {
    const tenant = await createTenant('revoked');
    const key = await createKey(tenant.id as string);
    const keys = await api<{ items: Json[] }>('GET', `/v1/platform/tenants/${String(tenant.id)}/api-keys`, {
      token: admin,
    });
    const keyId = keys.body.items[0]?.id as string;

    expect(
      (await api('DELETE', `/v1/platform/tenants/${String(tenant.id)}/api-keys/${keyId}`, { token: admin }))
        .status,
    ).toBe(204);

    const res = await api('GET', '/v1/tenant', { token: key });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it("one tenant's key never reads or touches another tenant's data", async () => {
    const a = await createTenant('isolation-a');
    const b = await createTenant('isolation-b');
    const keyA = await createKey(a.id as string, ['tenant:read', 'api-keys:read', 'api-keys:write']);
    await createKey(b.id as string);
    const bKeys = await api<{ items: Json[] }>('GET', `/v1/platform/tenants/${String(b.id)}/api-keys`, {
      token: admin,
    });
    const bKeyId = bKeys.body.items[0]?.id as string;

    const listed = await api<{ items: Json[] }>('GET', '/v1/api-keys', { token: keyA });
    expect(listed.body.items.every((k) => k.tenantId === a.id)).toBe(true);
    expect(listed.body.items[0]?.lastUsedAt).toEqual(expect.any(String));

    const revokeOther = await api('DELETE', `/v1/api-keys/${bKeyId}`, { token: keyA });
    expect(revokeOther.status).toBe(404);

    const platformRoute = await api('GET', `/v1/platform/tenants/${String(b.id)}`, { token: keyA });
    expect(platformRoute.status).toBe(403);
  });

  it('a tenant key cannot mint a key with scopes it lacks', async () => {
    const tenant = await createTenant('escalation');
    const key = await createKey(tenant.id as string, ['api-keys:write']);
    const res = await api('POST', '/v1/api-keys', {
      token: key,
      body: { name: 'x', scopes: ['tenant:read'] },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('permission_not_held');
  });
});

describe('bad input gets a problem response', () => {
  it('a taken slug is 409 slug_taken; an invalid slug, plan or region is 400 with field errors', async () => {
    await createTenant('taken');
    const taken = await api('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'Again', slug: 'taken', region: 'us-east-1' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('slug_taken');

    const invalid = await api<{ errors: Array<{ path: string }> }>('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'Bad', slug: 'No Caps!', region: 'us-east-1' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e) => e.path)).toContain('body.slug');

    const plan = await api<{ errors: Array<{ path: string }> }>('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'Bad', slug: 'bad-plan', plan: 'platinum', region: 'us-east-1' },
    });
    expect(plan.body.errors.map((e) => e.path)).toEqual(['body.plan']);

    const region = await api<{ errors: Array<{ path: string }> }>('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'Bad', slug: 'bad-region', region: 'mars-north-1' },
    });
    expect(region.body.errors.map((e) => e.path)).toEqual(['body.region']);
  });

  it('malformed JSON, wrong content type, unknown fields and oversized bodies are refused', async () => {
    const malformed = await api('POST', '/v1/platform/tenants', {
      token: admin,
      rawBody: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'malformed_json']);

    const wrongType = await api('POST', '/v1/platform/tenants', {
      token: admin,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType.status).toBe(415);

    const unknown = await api<{ errors: Array<{ path: string }> }>('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'X', slug: 'unknown-field', region: 'us-east-1', owner: 'me' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e) => e.path)).toContain('body.owner');

    const oversized = await api('POST', '/v1/platform/tenants', {
      token: admin,
      body: { name: 'x'.repeat(300 * 1024), slug: 'oversized', region: 'us-east-1' },
    });
    expect(oversized.status).toBe(413);
  });

  it('unknown routes are 404, wrong methods 405, missing credentials 401 — all problem+json', async () => {
    const unknown = await api('GET', '/v1/nothing-here', { token: admin });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);

    const method = await api('PUT', '/v1/platform/tenants', { token: admin, body: {} });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toContain('POST');

    const anonymous = await api('GET', '/v1/tenant');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a forged cursor, or one from another list, is 400 invalid_cursor', async () => {
    await createTenant('cursor-a');
    await createTenant('cursor-b');
    const first = await api<{ nextCursor: string }>('GET', '/v1/platform/tenants?limit=1', { token: admin });
    expect(first.body.nextCursor).toBeTruthy();

    const next = await api(
      'GET',
      `/v1/platform/tenants?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      {
        token: admin,
      },
    );
    expect(next.status).toBe(200);

    const forged = first.body.nextCursor.slice(0, -2) + (first.body.nextCursor.endsWith('A') ? 'BB' : 'AA');
    const tampered = await api('GET', `/v1/platform/tenants?cursor=${encodeURIComponent(forged)}`, {
      token: admin,
    });
    expect([tampered.status, tampered.body.code]).toEqual([400, 'invalid_cursor']);

    const otherList = await api(
      'GET',
      `/v1/platform/tenants?status=suspended&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      {
        token: admin,
      },
    );
    expect([otherList.status, otherList.body.code]).toEqual([400, 'invalid_cursor']);
  });

  it('Idempotency-Key replays the first response, and refuses the same key with another body', async () => {
    const body = { name: 'Once', slug: 'idempotent', region: 'us-east-1' };
    const headers = { 'idempotency-key': 'create-idempotent-1' };
    const first = await api('POST', '/v1/platform/tenants', { token: admin, body, headers });
    const replay = await api('POST', '/v1/platform/tenants', { token: admin, body, headers });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);

    const reused = await api('POST', '/v1/platform/tenants', {
      token: admin,
      body: { ...body, name: 'Twice' },
      headers,
    });
    expect([reused.status, reused.body.code]).toEqual([422, 'idempotency_key_reused']);
  });
});

describe('the API describes itself', () => {
  it('serves its OpenAPI 3.1 document without a credential', async () => {
    const res = await api<{ openapi: string; paths: Record<string, unknown> }>('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(res.body.paths)).toContain('/v1/platform/tenants/{tenantId}/suspend');
  });

  it('lists the event catalog with JSON Schemas, without a credential', async () => {
    const res = await api<{ items: Array<{ type: string; schema: Json }> }>('GET', '/v1/event-types');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => i.type)).toContain('tenant.suspended');
  });
});
