// The REST API on one machine: matches each request to a declared route, runs the REQUEST
// authorizer for non-public routes (uncached, so a suspension bites at once), invokes the context's
// API handler with a proxy event and writes its result back. API Gateway's own answers (no route,
// a method the path does not declare, no credential, denied, too large, function failures) are the
// problem+json bodies the CDK stack's gateway responses and `ANY` mock render, and invoke nothing.
// Local-only routes (the mail outbox) are served beside them, unauthenticated.
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problemContentType, problemTypeBase } from '../../libs/http/problem.ts';
import { allowedMethods } from '../../libs/http/route-table.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import type { StandaloneFunctionDeclaration } from '../topology.ts';
import {
  authorizerDecision,
  buildAuthorizerEvent,
  buildProxyEvent,
  methodArn,
  type GatewayRequest,
} from './api-events.ts';
import { createApiRouter } from './api-routes.ts';
import { FunctionTimeoutError, type FunctionHost, type LocalFunction } from './functions.ts';
import type { LocalLog } from './log.ts';

/** API Gateway refuses request bodies over 10 MB. */
export const maxRequestBodyBytes = 10 * 1024 * 1024;

/**
 * A route that exists only on one machine (e.g. `GET /local/mail`): declared in no manifest, served
 * without the authorizer, answered with JSON. Its path must not start with `/v1`.
 */
export interface LocalOnlyRoute {
  method: 'GET';
  path: string;
  /** The JSON body of the 200 answer. */
  answer(query: URLSearchParams): unknown;
}

export interface ApiGatewayOptions {
  contexts: readonly ContextManifest[];
  authorizer: StandaloneFunctionDeclaration;
  functions: FunctionHost;
  region: string;
  log: LocalLog;
  /** 0 picks a free port. */
  port: number;
  /** @default '127.0.0.1': the API is for this machine only */
  host?: string;
  /** @default none */
  localRoutes?: readonly LocalOnlyRoute[];
}

export interface ApiGateway {
  /** e.g. `http://127.0.0.1:4000`; route paths, which start with `/v1`, follow it. */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface GatewayAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function problem(
  request: { path?: string; requestId: string },
  status: number,
  title: string,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
): GatewayAnswer {
  const body = {
    type: `${problemTypeBase}${code}`,
    title,
    status,
    code,
    detail,
    instance: request.path,
    requestId: request.requestId,
  };
  return {
    status,
    headers: { 'content-type': problemContentType, 'cache-control': 'no-store', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

const internalError = (request: GatewayRequest, status: number) =>
  problem(
    request,
    status,
    'Internal Server Error',
    'internal_error',
    'Something went wrong on our side; it has been logged.',
  );

/**
 * What the `ANY` method of a path answers (plinth-api.ts): 204 to OPTIONS, else 405, both naming
 * the methods the path serves.
 */
function methodNotAllowed(request: GatewayRequest, declared: readonly string[]): GatewayAnswer {
  const allow = allowedMethods(declared);
  if (request.method === 'OPTIONS') {
    return {
      status: 204,
      headers: { allow, 'content-type': 'text/plain', 'cache-control': 'no-store' },
      body: Buffer.alloc(0),
    };
  }
  return problem(
    request,
    405,
    'Method Not Allowed',
    'method_not_allowed',
    `${request.method} is not allowed here; use ${allow}.`,
    { allow },
  );
}

/**
 * Node's statuses for a request it could not parse (431 for too many header bytes, 408 for one too
 * slow, 400 for the rest, e.g. a raw non-ASCII byte in the target), rendered as API Gateway's
 * DEFAULT_4XX problem instead of Node's bodiless answer.
 */
function clientErrorAnswer(error: NodeJS.ErrnoException): GatewayAnswer {
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
        ? 413
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
  return problem(
    { requestId: randomUUID() },
    status,
    STATUS_CODES[status] ?? 'Bad Request',
    'bad_request',
    'The request could not be read as HTTP.',
  );
}

function writeClientError(error: NodeJS.ErrnoException, socket: Socket, log: LocalLog): void {
  // As Node does: no answer to a client that went away, nor on a connection that already carried
  // one, where it could land inside a response still being written.
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const { status, headers, body } = clientErrorAnswer(error);
  log.info(`unreadable request ${status} (${error.code ?? error.message})`);
  const head = Object.entries({ ...headers, 'content-length': String(body.length), connection: 'close' })
    .map(([name, value]) => `${name}: ${String(value)}\r\n`)
    .join('');
  const answer = Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n`),
    body,
  ]);
  socket.end(answer, () => socket.destroy());
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    if (declared > limit) {
      req.resume();
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Lambda proxy results: `headers` and `multiValueHeaders` merge, the multi-value ones winning a name. */
function fromLambdaResult(result: unknown): GatewayAnswer | undefined {
  const r = result as Partial<APIGatewayProxyResult> | null | undefined;
  if (
    !r ||
    typeof r !== 'object' ||
    !Number.isInteger(r.statusCode) ||
    r.statusCode! < 100 ||
    r.statusCode! > 599
  ) {
    return undefined;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    headers[name.toLowerCase()] = values.map(String);
  }
  const body =
    typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { status: r.statusCode!, headers, body };
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const { region, log } = options;
  const router = createApiRouter(options.contexts);
  const localRoutes = new Map<string, LocalOnlyRoute>();
  for (const route of options.localRoutes ?? []) {
    if (route.path.startsWith('/v1'))
      throw new Error(`local-only route ${route.path} must not start with /v1`);
    localRoutes.set(`${route.method} ${route.path}`, route);
  }
  const authorizer: LocalFunction = options.functions.forStandalone(options.authorizer);
  const handlers = new Map<ContextManifest, LocalFunction>();
  for (const context of options.contexts) {
    if (context.routes.length === 0) continue;
    if (!context.apiHandler) throw new Error(`context ${context.name} declares routes but no apiHandler`);
    handlers.set(context, options.functions.forContext(context, context.apiHandler));
  }

  async function authorize(
    request: GatewayRequest,
    resource: string,
    pathParameters: Record<string, string>,
  ): Promise<{ refused: GatewayAnswer } | { context: Record<string, unknown> }> {
    const event = buildAuthorizerEvent(request, { resource, pathParameters }, region);
    let result: unknown;
    try {
      result = await authorizer.invoke(event);
    } catch (error) {
      // API Gateway turns exactly this error message into a 401; anything else is the authorizer failing.
      if (error instanceof Error && error.message === 'Unauthorized') {
        const refused = problem(
          request,
          401,
          'Unauthorized',
          'unauthorized',
          'A valid credential is required.',
          {
            'www-authenticate': 'Bearer',
          },
        );
        return { refused };
      }
      log.error(`authorizer failed for ${request.method} ${request.path}`, error);
      return { refused: internalError(request, 500) };
    }
    const decision = authorizerDecision(result, methodArn(region, request.method, request.path));
    if (decision.effect === 'invalid') {
      log.error(`authorizer answered with an unusable result: ${decision.reason}`);
      return { refused: internalError(request, 500) };
    }
    if (decision.effect === 'deny') {
      const code = typeof decision.context.code === 'string' ? decision.context.code : 'forbidden';
      const detail =
        typeof decision.context.detail === 'string'
          ? decision.context.detail
          : 'The caller may not make this call.';
      return { refused: problem(request, 403, 'Forbidden', code, detail) };
    }
    return { context: decision.context };
  }

  async function answer(req: IncomingMessage, request: GatewayRequest): Promise<GatewayAnswer> {
    const local = localRoutes.get(`${request.method} ${request.path}`);
    if (local) {
      req.resume();
      const body = JSON.stringify(local.answer(new URLSearchParams(request.query)));
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: Buffer.from(body),
      };
    }
    const matched = router.match(request.method, request.path);
    if (matched.kind === 'not_found')
      return problem(request, 404, 'Not Found', 'not_found', 'No such route.');

    const body = await readBody(req, maxRequestBodyBytes);
    if (body === 'too_large') {
      return problem(
        request,
        413,
        'Content Too Large',
        'payload_too_large',
        'The request body is too large.',
      );
    }
    request.body = body;
    if (matched.kind === 'other_method') return methodNotAllowed(request, matched.declared);

    let authorizerContext: Record<string, unknown> | null = null;
    // Public routes run without the authorizer, as in the CDK stack.
    if (matched.route.audience !== 'public') {
      const verdict = await authorize(request, matched.resource, matched.pathParameters);
      if ('refused' in verdict) return verdict.refused;
      authorizerContext = verdict.context;
    }

    const handler = handlers.get(matched.context)!;
    const event = buildProxyEvent(request, matched, authorizerContext);
    try {
      const result = fromLambdaResult(await handler.invoke(event));
      if (result) return result;
      log.error(`${handler.id} returned something that is not an API Gateway proxy result`);
      return internalError(request, 502);
    } catch (error) {
      log.error(`${handler.id} failed on ${request.method} ${request.path}`, error);
      return internalError(request, error instanceof FunctionTimeoutError ? 504 : 502);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const request: GatewayRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query,
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      requestId: randomUUID(),
      receivedAt: new Date(),
    };
    let result: GatewayAnswer;
    try {
      result = await answer(req, request);
    } catch (error) {
      log.error(`could not serve ${request.method} ${request.path}`, error);
      result = internalError(request, 500);
    }
    if (!res.headersSent) {
      res.writeHead(result.status, { ...result.headers, 'x-amzn-requestid': request.requestId });
      res.end(result.body);
    }
    log.info(
      `${request.method} ${request.path} ${result.status} ${Math.round(performance.now() - started)}ms`,
    );
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    writeClientError(error, socket, log),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment to finish; then their connections are cut.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
