import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createKeyRings } from '../../../libs/config/key-ring.ts';
import { createApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { refusalContext } from '../../../libs/http/credentials.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { implement } from '../../../libs/http/route.ts';
import { defineRoute } from '../../../libs/manifest/types.ts';
import { apiEvent, json, lambdaContext, platformCaller, tenantCaller, type EventInit } from './api-events.ts';

const widgetId = z.string().regex(/^w_[a-z0-9]+$/, 'must be a widget id');

const routes = {
  createWidget: defineRoute({
    operationId: 'createWidget',
    method: 'POST',
    path: '/v1/widgets',
    summary: 'Create a widget',
    tags: ['Widgets'],
    audience: 'tenant',
    permission: 'widgets:write',
    request: { body: z.strictObject({ name: z.string().min(1), size: z.number().int().optional() }) },
    responses: { 201: { description: 'The widget' } },
  }),
  listWidgets: defineRoute({
    operationId: 'listWidgets',
    method: 'GET',
    path: '/v1/widgets',
    summary: 'List widgets',
    tags: ['Widgets'],
    audience: 'tenant',
    permission: 'widgets:read',
    request: { query: z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(10) }) },
    mfaExempt: true,
    responses: { 200: { description: 'Widgets' } },
  }),
  getWidget: defineRoute({
    operationId: 'getWidget',
    method: 'GET',
    path: '/v1/widgets/{widgetId}',
    summary: 'Get a widget',
    tags: ['Widgets'],
    audience: 'tenant',
    permission: 'widgets:read',
    request: { params: z.strictObject({ widgetId }) },
    responses: { 200: { description: 'The widget' } },
  }),
  deleteWidget: defineRoute({
    operationId: 'deleteWidget',
    method: 'DELETE',
    path: '/v1/widgets/{widgetId}',
    summary: 'Delete a widget',
    tags: ['Widgets'],
    audience: 'tenant',
    permission: 'widgets:write',
    request: { params: z.strictObject({ widgetId }) },
    responses: { 204: { description: 'Deleted' } },
  }),
  polishWidget: defineRoute({
    operationId: 'polishWidget',
    method: 'POST',
    path: '/v1/widgets/{widgetId}/polish',
    summary: 'Polish a widget',
    tags: ['Widgets'],
    audience: 'tenant',
    permission: 'widgets:write',
    request: { params: z.strictObject({ widgetId }), body: z.strictObject({}).optional() },
    responses: { 200: { description: 'Polished' } },
  }),
  searchWidgets: defineRoute({
    operationId: 'searchWidgets',
    method: 'GET',
    path: '/v1/widgets/search',
    summary: 'A literal segment next to a parameter',
    tags: ['Widgets'],
    audience: 'tenant',
    permission: 'widgets:read',
    responses: { 200: { description: 'Found' } },
  }),
  postWidgetForm: defineRoute({
    operationId: 'postWidgetForm',
    method: 'POST',
    path: '/v1/widgets/form',
    summary: 'A route that takes an HTML form',
    tags: ['Widgets'],
    audience: 'public',
    permission: 'public',
    idempotent: false,
    request: { body: z.object({ name: z.string().min(1) }), bodyMedia: ['form'] },
    responses: { 200: { description: 'Read' } },
  }),
  listAllWidgets: defineRoute({
    operationId: 'listAllWidgets',
    method: 'GET',
    path: '/v1/platform/widgets',
    summary: 'Every tenant’s widgets',
    tags: ['Platform'],
    audience: 'platform',
    permission: 'platform.widgets:read',
    responses: { 200: { description: 'Widgets' } },
  }),
  ping: defineRoute({
    operationId: 'ping',
    method: 'GET',
    path: '/v1/ping',
    summary: 'Ping',
    tags: ['Meta'],
    audience: 'public',
    permission: 'public',
    responses: { 200: { description: 'Pong' } },
  }),
  explode: defineRoute({
    operationId: 'explode',
    method: 'GET',
    path: '/v1/explode',
    summary: 'Fails with a plain error',
    tags: ['Meta'],
    audience: 'public',
    permission: 'public',
    responses: { 200: { description: 'Never' } },
  }),
  busy: defineRoute({
    operationId: 'busy',
    method: 'GET',
    path: '/v1/busy',
    summary: 'Fails with a problem',
    tags: ['Meta'],
    audience: 'public',
    permission: 'public',
    responses: { 200: { description: 'Never' } },
  }),
};

const seen: unknown[] = [];

const bound = [
  implement(routes.createWidget, ({ body, caller }) => {
    seen.push({ body, caller });
    return Promise.resolve({
      status: 201,
      body: { id: 'w_1', ...body },
      headers: { Location: '/v1/widgets/w_1' },
    });
  }),
  implement(routes.listWidgets, ({ query }) =>
    Promise.resolve({ status: 200, body: { limit: query.limit } }),
  ),
  implement(routes.getWidget, ({ params, headers, requestId, path }) =>
    Promise.resolve({
      status: 200,
      body: { id: params.widgetId, trace: headers['x-trace'], requestId, path },
    }),
  ),
  implement(routes.deleteWidget, () => Promise.resolve({ status: 204 })),
  implement(routes.polishWidget, ({ body }) =>
    Promise.resolve({ status: 200, body: { received: body ?? null } }),
  ),
  implement(routes.searchWidgets, () => Promise.resolve({ status: 200, body: { search: true } })),
  implement(routes.postWidgetForm, ({ body }) => Promise.resolve({ status: 200, body })),
  implement(routes.listAllWidgets, () => Promise.resolve({ status: 200, body: { items: [] } })),
  implement(routes.ping, () => Promise.resolve({ status: 200, body: { pong: true } })),
  implement(routes.explode, () =>
    Promise.reject(new Error('connection to db-7 failed: password hunter2 rejected')),
  ),
  implement(routes.busy, () =>
    Promise.reject(
      new Problem(409, 'widget_busy', 'The widget is being polished.', { extensions: { widgetId: 'w_1' } }),
    ),
  ),
];

const logger = new Logger({ serviceName: 'widgets', logLevel: 'SILENT' });
const handler = createApiHandler({
  serviceName: 'widgets',
  routes: bound,
  logger,
  // Never reached in these tests: no request here carries an Idempotency-Key.
  idempotency: {
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'unused',
    responseKeys: 'r'.repeat(32),
  },
});

const writer = tenantCaller(['widgets:read', 'widgets:write']);
const reader = tenantCaller(['widgets:read']);
const admin = platformCaller(['platform.widgets:read']);

async function call(init: EventInit): Promise<APIGatewayProxyResult> {
  return handler(apiEvent(init), lambdaContext());
}

function problemOf(result: APIGatewayProxyResult) {
  return json(result.body) as {
    status: number;
    code: string;
    detail: string;
    errors?: Array<{ path: string; code: string }>;
  } & Record<string, unknown>;
}

describe('request bodies', () => {
  it('malformed JSON is 400 malformed_json', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([400, 'malformed_json']);
  });

  it('a base64-encoded body that is not UTF-8 is 400 malformed_json', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64'),
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json' },
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([400, 'malformed_json']);
  });

  // SQS, and so every event, carries only XML's characters: a body holding another is refused
  // here, naming the field, rather than accepted and lost on a later hop.
  it.each([
    ['U+FFFE', String.raw`{"name":"a\ufffe"}`, 'body.name'],
    ['a lone surrogate', String.raw`{"name":"a\ud800"}`, 'body.name'],
    ['a control character', String.raw`{"name":"a\u0001"}`, 'body.name'],
    ['a field name with U+FFFF', String.raw`{"name":"a","\uffff":1}`, 'body.U+FFFF'],
  ])('%s in a body is 400 validation_failed naming the field', async (_, body, path) => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body,
      headers: { 'content-type': 'application/json' },
    });
    const problem = problemOf(res);
    expect([res.statusCode, problem.code]).toEqual([400, 'validation_failed']);
    expect(problem.errors).toContainEqual(expect.objectContaining({ path, code: 'invalid_character' }));
  });

  it('characters beyond the basic plane and tabs or newlines are accepted', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: JSON.stringify({ name: 'tab\there\nnew 🎉 \uE000' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('a body that is not application/json is 415 unsupported_media_type', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([415, 'unsupported_media_type']);
  });

  it('a route that takes a form reads it into fields, and refuses JSON naming the type it takes', async () => {
    const form = await call({
      method: 'POST',
      path: '/v1/widgets/form',
      body: 'name=caf%C3%A9+au+lait&extra=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    expect([form.statusCode, json(form.body)]).toEqual([200, { name: 'café au lait' }]);

    const asJson = await call({ method: 'POST', path: '/v1/widgets/form', body: { name: 'x' } });
    expect([asJson.statusCode, problemOf(asJson).code]).toEqual([415, 'unsupported_media_type']);
    expect(problemOf(asJson).detail).toContain('application/x-www-form-urlencoded');

    const notUtf8 = await call({
      method: 'POST',
      path: '/v1/widgets/form',
      body: Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff]).toString('base64'),
      isBase64Encoded: true,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([notUtf8.statusCode, problemOf(notUtf8).code]).toEqual([400, 'malformed_form']);
  });

  it('application/json with a UTF-8 charset is accepted, in any header casing', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: '{"name":"a"}',
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('an unknown field is 400 validation_failed naming body.x', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: { name: 'a', x: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).code).toBe('validation_failed');
    expect(problemOf(res).errors?.[0]).toMatchObject({ path: 'body.x', code: 'unknown_field' });
  });

  it('every bad field is reported, each with where it was', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: { name: '', size: 1.5 },
    });
    expect(
      problemOf(res)
        .errors?.map((e) => e.path)
        .sort(),
    ).toEqual(['body.name', 'body.size']);
  });

  it('a body over 256 KiB is 413 payload_too_large', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: { name: 'x'.repeat(262_144) },
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([413, 'payload_too_large']);
  });

  it('a base64-encoded body is measured and parsed after decoding', async () => {
    const small = Buffer.from(JSON.stringify({ name: 'b64' })).toString('base64');
    const ok = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: small,
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json' },
    });
    expect(json(ok.body)).toMatchObject({ name: 'b64' });

    // 200 KiB of JSON is about 267 KiB once base64-encoded: under the limit, as the client sent it.
    const justUnder = Buffer.from(JSON.stringify({ name: 'y'.repeat(200 * 1024) })).toString('base64');
    expect(justUnder.length).toBeGreaterThan(262_144);
    const under = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: justUnder,
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json' },
    });
    expect(under.statusCode).toBe(201);
  });

  it('a route with an optional body takes none, and no content type is needed then', async () => {
    const res = await call({ method: 'POST', path: '/v1/widgets/w_1/polish', caller: writer });
    expect([res.statusCode, json(res.body)]).toEqual([200, { received: null }]);
  });

  it('a route that requires a body refuses a request without one', async () => {
    const res = await call({ method: 'POST', path: '/v1/widgets', caller: writer });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors?.[0]?.path).toBe('body');
  });

  it('a body on a route that takes none is refused', async () => {
    const res = await call({
      method: 'DELETE',
      path: '/v1/widgets/w_1',
      caller: writer,
      body: { force: true },
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors?.[0]).toMatchObject({ path: 'body', code: 'unexpected_body' });
  });
});

describe('params and query', () => {
  it('query parameters are validated and coerced by the declared schema', async () => {
    const res = await call({ method: 'GET', path: '/v1/widgets', caller: reader, query: { limit: '7' } });
    expect(json(res.body)).toEqual({ limit: 7 });
  });

  it('an unknown query parameter is 400, on routes with and without a query schema', async () => {
    const listed = await call({
      method: 'GET',
      path: '/v1/widgets',
      caller: reader,
      query: { sort: 'name' },
    });
    expect(problemOf(listed).errors?.[0]?.path).toBe('query.sort');
    const single = await call({
      method: 'GET',
      path: '/v1/widgets/w_1',
      caller: reader,
      query: { expand: 'all' },
    });
    expect(problemOf(single).errors?.[0]?.path).toBe('query.expand');
  });

  it('a bad path parameter is 400 naming params.<name>', async () => {
    const res = await call({ method: 'GET', path: '/v1/widgets/nope', caller: reader });
    expect(problemOf(res).errors?.[0]).toMatchObject({
      path: 'params.widgetId',
      message: 'must be a widget id',
    });
  });
});

describe('routing', () => {
  it('a deployed event, whose resource and path API Gateway strips of the v1 stage, reaches the v1 route', async () => {
    const res = await call({
      method: 'GET',
      path: '/widgets/w_abc',
      resource: '/widgets/{widgetId}',
      pathParameters: { widgetId: 'w_abc' },
      caller: reader,
    });
    expect(res.statusCode).toBe(200);
  });

  it('an unknown path is 404 not_found', async () => {
    const res = await call({ method: 'GET', path: '/v1/nothing-here', caller: reader });
    expect([res.statusCode, problemOf(res).code]).toEqual([404, 'not_found']);
  });

  it('a known path with an undeclared method is 405 with an Allow header', async () => {
    const res = await call({ method: 'PUT', path: '/v1/widgets', caller: writer, body: {} });
    expect([res.statusCode, problemOf(res).code]).toEqual([405, 'method_not_allowed']);
    expect(res.headers?.allow).toBe('POST, GET, HEAD, OPTIONS');
  });

  it('OPTIONS answers 204 with the methods of the path', async () => {
    const res = await call({ method: 'OPTIONS', path: '/v1/widgets/w_1' });
    expect(res.statusCode).toBe(204);
    expect(res.headers?.allow).toBe('GET, DELETE, HEAD, OPTIONS');
  });

  it('HEAD runs the GET route and sends no body', async () => {
    const res = await call({ method: 'HEAD', path: '/v1/widgets/w_1', caller: reader });
    expect([res.statusCode, res.body]).toEqual([200, '']);
  });

  it("API Gateway's resource template routes the request, whatever prefix the path carries", async () => {
    const res = await call({
      method: 'GET',
      path: '/api/v1/widgets/w_9',
      resource: '/v1/widgets/{widgetId}',
      pathParameters: { widgetId: 'w_9' },
      caller: reader,
    });
    expect(json(res.body)).toMatchObject({ id: 'w_9' });
  });

  it('behind a proxy resource the path is matched, with literal segments before parameters', async () => {
    const search = await call({ method: 'GET', path: '/v1/widgets/search', caller: reader });
    expect(json(search.body)).toEqual({ search: true });
    const trailing = await call({ method: 'GET', path: '/v1/widgets/w_2/', caller: reader });
    expect(json(trailing.body)).toMatchObject({ id: 'w_2' });
    const encoded = await call({ method: 'GET', path: '/v1/widgets/w_%33', caller: reader });
    expect(json(encoded.body)).toMatchObject({ id: 'w_3' });
  });

  it('routes see lower-case header names, the request id and the path', async () => {
    const res = await call({
      method: 'GET',
      path: '/v1/widgets/w_1',
      caller: reader,
      headers: { 'X-Trace': 'abc' },
    });
    expect(json(res.body)).toMatchObject({
      trace: 'abc',
      path: '/v1/widgets/w_1',
      requestId: expect.stringMatching(/^gw-request-/) as string,
    });
  });

  it('two routes with one method and path are refused when the handler is built', () => {
    expect(() => createApiHandler({ serviceName: 'dup', routes: [bound[2]!, bound[2]!], logger })).toThrow(
      'routes getWidget and getWidget both declare GET /v1/widgets/{widgetId}',
    );
  });

  it('a handler with idempotent POST routes needs the idempotency table', () => {
    expect(() => createApiHandler({ serviceName: 'widgets', routes: bound, logger })).toThrow(
      /createWidget, polishWidget/,
    );
  });
});

describe('callers', () => {
  it('no authorizer context on a non-public route is 401', async () => {
    const res = await call({ method: 'GET', path: '/v1/widgets/w_1' });
    expect([res.statusCode, problemOf(res).code]).toEqual([401, 'unauthorized']);
  });

  it("a credential the authorizer refused is answered with the refusal's status and detail", async () => {
    const event = apiEvent({ method: 'GET', path: '/v1/widgets/w_1' });
    event.requestContext.authorizer = refusalContext({
      status: 401,
      code: 'unauthorized',
      detail: 'This API key has been revoked.',
    });

    const res = await handler(event, lambdaContext());

    expect([res.statusCode, problemOf(res).code, problemOf(res).detail]).toEqual([
      401,
      'unauthorized',
      'This API key has been revoked.',
    ]);
    expect(res.headers?.['www-authenticate']).toBe('Bearer');
  });

  it('two Authorization headers are 400 multiple_credentials before anything else, whatever the casing', async () => {
    const twice = apiEvent({ method: 'POST', path: '/v1/widgets', caller: writer, body: { name: 'w' } });
    twice.multiValueHeaders = { Authorization: ['Bearer a', 'Bearer b'] };
    const twoNames = apiEvent({ method: 'GET', path: '/v1/nowhere', caller: writer });
    twoNames.headers = { Authorization: 'Bearer a', authorization: 'Bearer b' };

    for (const event of [twice, twoNames]) {
      const res = await handler(event, lambdaContext());
      expect([res.statusCode, problemOf(res).code]).toEqual([400, 'multiple_credentials']);
    }
  });

  it('a platform caller on a tenant route is 403 tenant_credential_required', async () => {
    const res = await call({
      method: 'GET',
      path: '/v1/widgets/w_1',
      caller: platformCaller(['widgets:read']),
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([403, 'tenant_credential_required']);
  });

  it('a tenant caller on a platform route is 403 platform_credential_required', async () => {
    const res = await call({
      method: 'GET',
      path: '/v1/platform/widgets',
      caller: tenantCaller(['platform.widgets:read']),
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([403, 'platform_credential_required']);
  });

  it('a caller without the route’s permission is 403 naming it', async () => {
    const res = await call({ method: 'POST', path: '/v1/widgets', caller: reader, body: { name: 'a' } });
    const problem = problemOf(res);
    expect([res.statusCode, problem.code, problem.permission]).toEqual([
      403,
      'permission_denied',
      'widgets:write',
    ]);
    expect(problem.detail).toContain('widgets:write');
  });

  it('permissions are checked before the body, so a refused caller learns nothing about it', async () => {
    const res = await call({ method: 'POST', path: '/v1/widgets', caller: reader, body: '{"name":' });
    expect(res.statusCode).toBe(403);
  });

  it('a user who still owes MFA reaches only MFA-exempt routes; the rest answer 403 mfa_required', async () => {
    const owesMfa = { ...tenantCaller(['widgets:read']), principalType: 'user' as const, mfaPending: true };
    const blocked = await call({ method: 'GET', path: '/v1/widgets/w_1', caller: owesMfa });
    const exempt = await call({ method: 'GET', path: '/v1/widgets', caller: owesMfa });
    expect([blocked.statusCode, problemOf(blocked).code]).toEqual([403, 'mfa_required']);
    expect(exempt.statusCode).toBe(200);
  });

  it('the route receives the verified caller', async () => {
    await call({ method: 'POST', path: '/v1/widgets', caller: writer, body: { name: 'mine' } });
    expect(seen.at(-1)).toMatchObject({
      body: { name: 'mine' },
      caller: { kind: 'tenant', tenantId: writer.kind === 'tenant' ? writer.tenantId : '' },
    });
  });

  it('a platform caller with the permission reaches a platform route; a public route needs no caller', async () => {
    expect((await call({ method: 'GET', path: '/v1/platform/widgets', caller: admin })).statusCode).toBe(200);
    expect((await call({ method: 'GET', path: '/v1/ping' })).statusCode).toBe(200);
  });

  it('an Idempotency-Key that is not 1–255 visible ASCII characters is 400 invalid_idempotency_key', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/widgets',
      caller: writer,
      body: { name: 'a' },
      headers: { 'Idempotency-Key': 'has space' },
    });
    expect([res.statusCode, problemOf(res).code]).toEqual([400, 'invalid_idempotency_key']);
  });
});

describe('responses', () => {
  it('a thrown Error is 500 internal_error, logged but never shown', async () => {
    const logged = vi.spyOn(logger, 'error');
    const res = await call({ method: 'GET', path: '/v1/explode' });
    expect([res.statusCode, problemOf(res).code]).toEqual([500, 'internal_error']);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('db-7');
    expect(logged).toHaveBeenCalledWith(
      'request failed',
      expect.objectContaining({ message: expect.stringContaining('hunter2') as string }),
    );
  });

  it('a thrown Problem keeps its status, code and extensions', async () => {
    const res = await call({ method: 'GET', path: '/v1/busy' });
    expect(res.statusCode).toBe(409);
    expect(problemOf(res)).toMatchObject({
      type: 'https://plinth.dev/problems/widget_busy',
      title: 'Conflict',
      status: 409,
      code: 'widget_busy',
      widgetId: 'w_1',
      instance: '/v1/busy',
      requestId: expect.stringMatching(/^gw-request-/) as string,
    });
  });

  it('every error is application/problem+json with no stack, and carries the security headers', async () => {
    const failures: EventInit[] = [
      {
        method: 'POST',
        path: '/v1/widgets',
        caller: writer,
        body: '{',
        headers: { 'content-type': 'application/json' },
      },
      {
        method: 'POST',
        path: '/v1/widgets',
        caller: writer,
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      },
      { method: 'POST', path: '/v1/widgets', caller: writer, body: { x: 1 } },
      { method: 'POST', path: '/v1/widgets', caller: writer, body: { name: 'z'.repeat(300_000) } },
      { method: 'GET', path: '/v1/nope' },
      { method: 'PATCH', path: '/v1/widgets' },
      { method: 'GET', path: '/v1/widgets' },
      { method: 'GET', path: '/v1/widgets', caller: admin },
      { method: 'GET', path: '/v1/explode' },
      { method: 'GET', path: '/v1/busy' },
    ];
    for (const init of failures) {
      const res = await call(init);
      expect(res.statusCode, `${init.method} ${init.path}`).toBeGreaterThanOrEqual(400);
      expect(res.headers?.['content-type']).toBe('application/problem+json');
      expect(res.body).not.toMatch(/stack|\bat .+:\d+:\d+/);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'strict-transport-security': expect.stringContaining('max-age=') as string,
      });
    }
  });

  it('results are JSON with lower-case headers and the security headers; 204 has no body', async () => {
    const created = await call({ method: 'POST', path: '/v1/widgets', caller: writer, body: { name: 'a' } });
    expect(created.headers).toMatchObject({
      'content-type': 'application/json',
      location: '/v1/widgets/w_1',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    const deleted = await call({ method: 'DELETE', path: '/v1/widgets/w_1', caller: writer });
    expect([deleted.statusCode, deleted.body, deleted.headers?.['content-type']]).toEqual([
      204,
      '',
      undefined,
    ]);
  });
});

describe('deployment keys', () => {
  it('a key that cannot be fetched fails that request with 503, and the next request fetches it again', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('Secrets Manager is having a moment'))
      .resolves({ SecretString: 'k'.repeat(40) });
    const keys = createKeyRings(['cursor'], {
      region: 'us-east-1',
      env: { CURSOR_KEYS_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor' },
      secretsClient: new SecretsManagerClient({ region: 'us-east-1' }),
    });
    const keyed = createApiHandler({
      serviceName: 'widgets',
      routes: [
        implement(routes.ping, () =>
          Promise.resolve({
            status: 200,
            body: { cursor: createCursorCodec(keys.cursor.keys).encode('s', 1) },
          }),
        ),
      ],
      logger,
      keys: [keys.cursor],
    });
    const ping = () => keyed(apiEvent({ method: 'GET', path: '/v1/ping' }), lambdaContext());

    const failed = await ping();
    expect([failed.statusCode, json(failed.body).code]).toEqual([503, 'temporarily_unavailable']);
    expect(failed.headers).toMatchObject({ 'retry-after': '1' });
    expect(JSON.stringify(failed)).not.toContain('having a moment');
    expect((await ping()).statusCode).toBe(200);
    secrets.restore();
  });
});
