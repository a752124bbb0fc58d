// The local API Gateway over real HTTP, with a stand-in authorizer and API function: what reaches
// the function, and the gateway's own answers when it must not be reached.
import { randomBytes, randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { defineContext, type HttpMethod, type RouteDeclaration } from '../../../libs/manifest/types.ts';
import type { ApiGateway } from '../../../infra/local/api-gateway.ts';
import { startTestGateway, testAuthorizerEntry } from '../../support/local-gateway.ts';
import { ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { methodNotAllowedProblem } from '../../../infra/constructs/plinth-api.ts';
import {
  problemResponses,
  problemTemplate,
  type ProblemResponse,
} from '../../../infra/constructs/problem-responses.ts';

function route(method: HttpMethod, path: string, audience: 'tenant' | 'public' = 'tenant'): RouteDeclaration {
  return {
    operationId: `${method} ${path}`,
    method,
    path,
    summary: path,
    tags: ['test'],
    audience,
    permission: audience === 'public' ? 'public' : 'widgets:read',
    responses: { 200: { description: 'ok' } },
  };
}

const widgets = defineContext({
  name: 'widgets',
  description: 'test',
  entry: 'test/widgets.ts',
  apiHandler: 'api',
  routes: [
    route('GET', '/v1/widgets/{widgetId}'),
    route('POST', '/v1/uploads'),
    route('GET', '/v1/status', 'public'),
  ],
  access: {},
});

type Verdict = 'allow' | 'deny' | 'unauthorized';
let verdict: Verdict;
let authorizerEvents: APIGatewayRequestAuthorizerEvent[];
let apiEvents: APIGatewayProxyEvent[];
let failApi: boolean;

function policy(effect: 'Allow' | 'Deny', methodArn: string) {
  const [prefix, stage] = methodArn.split('/');
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${prefix}/${stage}/*` }],
  };
}

const modules: Record<string, Record<string, unknown>> = {
  [testAuthorizerEntry]: {
    handler: (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
      authorizerEvents.push(event);
      if (verdict === 'unauthorized') return Promise.reject(new Error('Unauthorized'));
      if (verdict === 'deny') {
        return Promise.resolve({
          principalId: 'ten_1',
          policyDocument: policy('Deny', event.methodArn),
          context: { code: 'tenant_suspended', detail: 'The tenant is suspended.' },
        });
      }
      return Promise.resolve({
        principalId: 'key_1',
        policyDocument: policy('Allow', event.methodArn),
        context: { tenantId: 'ten_1' },
      });
    },
  },
  'test/widgets.ts': {
    api: (event: APIGatewayProxyEvent) => {
      apiEvents.push(event);
      if (failApi) return Promise.reject(new Error('boom'));
      return Promise.resolve({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] },
        body: JSON.stringify({ ok: true }),
      });
    },
  },
};

let gateway: ApiGateway;

beforeAll(async () => {
  gateway = await startTestGateway([widgets], modules);
});

afterAll(async () => {
  await gateway?.close();
});

beforeEach(() => {
  verdict = 'allow';
  authorizerEvents = [];
  apiEvents = [];
  failApi = false;
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${gateway.url}${path}`, { ...init, headers: { authorization: 'Bearer k', ...init.headers } });

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as {
    status: number;
    code: string;
    detail: string;
    title: string;
    requestId: string;
  };
}

const missingRoute = problemResponses.find(
  (p) => p.type.responseType === ResponseType.MISSING_AUTHENTICATION_TOKEN.responseType,
)!;

/** The body API Gateway renders from the stack's mapping template of `problem` for one request. */
function awsProblem(
  problem: ProblemResponse,
  context: { path: string; requestId: string; httpMethod?: string },
): unknown {
  const rendered = problemTemplate(problem)
    .replaceAll('$context.httpMethod', context.httpMethod ?? 'GET')
    .replaceAll('$context.path', context.path)
    .replaceAll('$context.requestId', context.requestId);
  return JSON.parse(rendered);
}

/** Sends `head` (and `body`) as they are over one connection and resolves with every byte answered. */
function rawExchange(head: string | Buffer, body = ''): Promise<string> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.end(Buffer.concat([Buffer.from(head), Buffer.from(body)]));
  });
}

function parseAnswer(raw: string) {
  const [head = '', body = ''] = raw.split(/\r\n\r\n(.*)/s);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

const tokenCharacters = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const randomToken = () =>
  Array.from({ length: randomInt(1, 24) }, () => tokenCharacters[randomInt(tokenCharacters.length)]).join('');

describe('the local API Gateway', () => {
  it("runs the authorizer, then the route's function with the authorizer's context, and writes its answer back", async () => {
    const response = await call('/v1/widgets/w1?expand=parts');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(authorizerEvents[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/v1/GET/widgets/w1',
    });
    expect(apiEvents[0]).toMatchObject({
      resource: '/widgets/{widgetId}',
      pathParameters: { widgetId: 'w1' },
      queryStringParameters: { expand: 'parts' },
      requestContext: { authorizer: { tenantId: 'ten_1', principalId: 'key_1' }, stage: 'v1' },
    });
  });

  it('answers 401 unauthorized when the authorizer throws Unauthorized, without calling the route', async () => {
    verdict = 'unauthorized';
    const response = await call('/v1/widgets/w1');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await problemOf(response)).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(apiEvents).toHaveLength(0);
  });

  it("answers 403 with the Deny's code and detail, and asks the authorizer on every call", async () => {
    expect((await call('/v1/widgets/w1')).status).toBe(200);
    verdict = 'deny';
    const response = await call('/v1/widgets/w1');

    expect(response.status).toBe(403);
    expect(await problemOf(response)).toMatchObject({
      title: 'Forbidden',
      status: 403,
      code: 'tenant_suspended',
      detail: 'The tenant is suspended.',
    });
    expect(authorizerEvents).toHaveLength(2);
    expect(apiEvents).toHaveLength(1);
  });

  it('serves public routes without the authorizer', async () => {
    verdict = 'unauthorized';
    expect((await call('/v1/status')).status).toBe(200);
    expect(authorizerEvents).toHaveLength(0);
    expect(apiEvents[0]?.requestContext.authorizer).toBeNull();
  });

  it('answers a path no route has with the 404 problem of the stack, invoking nothing', async () => {
    const response = await call('/v1/nothing');

    expect(response.status).toBe(404);
    const body = await problemOf(response);
    expect(body).toEqual(awsProblem(missingRoute, { path: '/v1/nothing', requestId: body.requestId }));
    expect([authorizerEvents, apiEvents]).toEqual([[], []]);
  });

  it("answers a method the path does not declare as the stack's ANY mock does: 405 naming the allowed methods, invoking nothing", async () => {
    const response = await call('/v1/widgets/w1', { method: 'DELETE' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await problemOf(response);
    expect(body).toEqual(
      awsProblem(methodNotAllowedProblem('GET, HEAD, OPTIONS'), {
        path: '/v1/widgets/w1',
        requestId: body.requestId,
        httpMethod: 'DELETE',
      }),
    );
    expect([authorizerEvents, apiEvents]).toEqual([[], []]);
  });

  it('answers OPTIONS on a known path with 204 and the allowed methods, invoking nothing', async () => {
    const response = await call('/v1/uploads', { method: 'OPTIONS' });

    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect([authorizerEvents, apiEvents]).toEqual([[], []]);
  });

  it('serves HEAD on a GET route behind the authorizer, as the stack declares HEAD beside every GET', async () => {
    const response = await call('/v1/widgets/w1', { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(authorizerEvents).toHaveLength(1);
    expect(apiEvents.map((e) => [e.httpMethod, e.resource])).toEqual([['HEAD', '/widgets/{widgetId}']]);

    verdict = 'unauthorized';
    expect((await call('/v1/widgets/w1', { method: 'HEAD' })).status).toBe(401);
    expect(apiEvents).toHaveLength(1);
  });

  it('answers HEAD on a path without GET with 405, as API Gateway maps no method onto another', async () => {
    const response = await call('/v1/uploads', { method: 'HEAD' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect([authorizerEvents, apiEvents]).toEqual([[], []]);
  });

  it('refuses a body over 10 MB with 413 before any function runs', async () => {
    const response = await call('/v1/uploads', {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 97),
    });
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({ code: 'payload_too_large' });
    expect(authorizerEvents).toHaveLength(0);
    expect(apiEvents).toHaveLength(0);
  });

  it('passes a binary body base64-encoded', async () => {
    const bytes = Buffer.from([0, 1, 254, 255]);
    await call('/v1/uploads', {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(apiEvents[0]).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
  });

  it('answers 502 internal_error when the function fails', async () => {
    failApi = true;
    const response = await call('/v1/widgets/w1');
    expect(response.status).toBe(502);
    expect(await problemOf(response)).toMatchObject({ code: 'internal_error' });
  });

  it("passes headers and query parameters named like Object.prototype's members to the authorizer and the function", async () => {
    // Random header names get a prefix so that none is one Node or HTTP gives a meaning (Host, Content-Length…).
    const names = [
      ...Object.getOwnPropertyNames(Object.prototype),
      ...Array.from({ length: 20 }, () => `X-${randomToken()}`),
    ];
    const queryNames = [
      ...Object.getOwnPropertyNames(Object.prototype),
      ...Array.from({ length: 20 }, () => randomBytes(randomInt(1, 12)).toString('latin1')),
    ];
    for (const name of names) {
      authorizerEvents = [];
      apiEvents = [];
      const answer = parseAnswer(
        await rawExchange(
          `GET /v1/widgets/w1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n` +
            `${name}: first\r\n${name}: second\r\nConnection: close\r\n\r\n`,
        ),
      );

      expect(answer.status, name).toBe(200);
      for (const event of [authorizerEvents[0]!, apiEvents[0]!]) {
        expect(Object.getOwnPropertyDescriptor(event.headers, name)?.value, name).toBe('second');
        expect(Object.getOwnPropertyDescriptor(event.multiValueHeaders, name)?.value, name).toEqual([
          'first',
          'second',
        ]);
      }
    }
    for (const name of queryNames) {
      apiEvents = [];
      const query = new URLSearchParams([
        [name, 'first'],
        [name, 'second'],
      ]);
      const answer = parseAnswer(
        await rawExchange(
          `GET /v1/widgets/w1?${query.toString()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\nConnection: close\r\n\r\n`,
        ),
      );

      expect(answer.status, JSON.stringify(name)).toBe(200);
      const event = apiEvents[0]!;
      expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, name)?.value).toBe('second');
      expect(Object.getOwnPropertyDescriptor(event.multiValueQueryStringParameters, name)?.value).toEqual([
        'first',
        'second',
      ]);
    }
  });

  it('answers a request Node cannot parse, a raw non-ASCII byte in its target, with a 400 bad_request problem', async () => {
    const answer = parseAnswer(
      await rawExchange(Buffer.from('GET /v1/t\xffx HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'latin1')),
    );

    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'bad_request' });
    expect(apiEvents).toHaveLength(0);
  });
});
