// The API Gateway entry every API function shares: middy with the shared middlewares, then the
// steps each request goes through — route, caller, body, validation, idempotency — before the
// route's own code runs. Routes only ever see validated input and a verified caller.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { CallerContext } from '../auth/caller.ts';
import { createFunctionMetrics, type FunctionMetrics } from '../aws/telemetry.ts';
import type { KeyRing } from '../config/key-ring.ts';
import { authorizeCaller } from './access.ts';
import { authorizationValues, multipleCredentials } from './credentials.ts';
import {
  createIdempotencyStore,
  idempotencyHeader,
  isIdempotentRoute,
  parseIdempotencyKey,
  replayedHeader,
  type IdempotencyStore,
  type IdempotencyTable,
} from './idempotency.ts';
import { Problem } from './problem.ts';
import { problemDetails, requestIdOf } from './problem-details.ts';
import { readJsonBody, validateInput, type RawInput } from './request-input.ts';
import { jsonResponse } from './responses.ts';
import { allowedMethods, createRouteTable } from './route-table.ts';
import type { BoundRoute, RouteRequest } from './route.ts';
import { securityHeaders } from './security-headers.ts';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiHandlerOptions {
  /** The bounded context, e.g. `tenants`; names the logger when none is given. */
  readonly serviceName: string;
  /** Every route this function serves; two routes may not share a method and path. */
  readonly routes: readonly BoundRoute[];
  /** @default a Powertools Logger named `serviceName` */
  readonly logger?: Logger;
  /**
   * The main table, where Idempotency-Key records are kept.
   * @default none: allowed only when no route is an idempotent POST
   */
  readonly idempotency?: IdempotencyTable;
  /**
   * The deployment keys the routes read, loaded before every request (fetched again only when
   * Powertools' cache has aged): a key that cannot be fetched fails that request with a 503 problem,
   * and the next request tries again.
   * @default none
   */
  readonly keys?: readonly KeyRing[];
  /** @default the service's own metrics, published at the end of every request */
  readonly metrics?: FunctionMetrics;
}

/**
 * Counts each request by how it ended: answered, refused (4xx) or failed (5xx). Registered before
 * the problem renderer, so its error hook runs after the problem became the response.
 */
function requestOutcomes(
  metrics: FunctionMetrics,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const record = (status: number | undefined) => {
    if (status === undefined || status >= 500) metrics.count('RequestFailed');
    else if (status >= 400) metrics.count('RequestRefused');
    else metrics.count('RequestAnswered');
  };
  return {
    after: (request) => record(request.response?.statusCode),
    onError: (request) => record(request.response?.statusCode),
  };
}

/** How long an in-flight Idempotency-Key stays locked when the context gives no deadline. */
const defaultLockMillis = 30_000;

export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const logger = options.logger ?? new Logger({ serviceName: options.serviceName });
  const metrics = options.metrics ?? createFunctionMetrics(options.serviceName, { logger });
  const table = createRouteTable(options.routes);

  const needIdempotency = options.routes.filter((r) => isIdempotentRoute(r.declaration));
  if (needIdempotency.length > 0 && !options.idempotency) {
    const names = needIdempotency.map((r) => r.declaration.operationId).join(', ');
    throw new Error(
      `${options.serviceName}: routes ${names} honour Idempotency-Key; pass the idempotency table`,
    );
  }
  const idempotency: IdempotencyStore | undefined = options.idempotency
    ? createIdempotencyStore({ ...options.idempotency, logger })
    : undefined;

  const keys = options.keys ?? [];
  async function loadKeys(): Promise<void> {
    try {
      await Promise.all(keys.map((ring) => ring.load()));
    } catch (error) {
      logger.error('a deployment key could not be loaded', { error: error as Error });
      metrics.count('KeyUnavailable');
      throw new Problem(
        503,
        'temporarily_unavailable',
        'The service cannot answer right now; retry shortly.',
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
  }

  async function handle(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
    const requestId = requestIdOf(event, context);
    logger.appendKeys({ requestId });
    const method = event.httpMethod.toUpperCase();

    const stage = event.requestContext?.stage;
    const match = table.match({
      method: method === 'HEAD' ? 'GET' : method,
      path: withStage(event.path, stage),
      resource: event.resource ? withStage(event.resource, stage) : event.resource,
      pathParameters: event.pathParameters,
    });
    if (match.kind === 'not_found') throw new Problem(404, 'not_found', `No route matches ${event.path}.`);
    if (match.kind === 'method_not_allowed') {
      const allow = allowedMethods(match.allow);
      if (method === 'OPTIONS') return { statusCode: 204, headers: { allow }, body: '' };
      throw new Problem(405, 'method_not_allowed', `${method} is not allowed here; use ${allow}.`, {
        headers: { allow },
      });
    }

    const { route, params } = match;
    const { declaration } = route;
    logger.appendKeys({ operationId: declaration.operationId });

    const caller = authorizeCaller(declaration, event.requestContext?.authorizer);
    if (caller?.kind === 'tenant') logger.appendKeys({ tenantId: caller.tenantId });

    const headers = event.headers ?? {};
    const raw: RawInput = {
      params,
      query: event.queryStringParameters ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded === true,
      contentType: headers['content-type'],
    };
    const body = readJsonBody(declaration, raw);
    const input = await validateInput(declaration, raw, body);

    const request: RouteRequest = {
      ...input,
      // Public routes have no caller; RouteRequest says so, and their implementations do not read it.
      caller: caller as CallerContext,
      headers,
      requestId,
      path: event.path,
    };

    const key = isIdempotentRoute(declaration) ? parseIdempotencyKey(headers[idempotencyHeader]) : undefined;
    const response =
      caller && idempotency && key !== undefined
        ? await idempotency.run(
            {
              caller,
              key,
              request: { method, path: event.path, body },
              requestId,
              lockMillis: context.getRemainingTimeInMillis?.() ?? defaultLockMillis,
            },
            () => route.run(request),
          )
        : await route.run(request);

    if (response.headers?.[replayedHeader] === 'true') metrics.count('IdempotentReplay');
    const result = jsonResponse(response);
    return method === 'HEAD' ? { ...result, body: '' } : result;
  }

  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
      .use(metrics.middlewares)
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(requestOutcomes(metrics))
      // Before the header normalizer, which would fold `Authorization` and `authorization` into one.
      .before(({ event }) => {
        if (authorizationValues(event).length > 1) {
          const { status, code, detail } = multipleCredentials;
          throw new Problem(status, code, detail);
        }
      })
      .use(httpHeaderNormalizer())
      .use(securityHeaders())
      .use(problemDetails({ logger }))
      .before(loadKeys)
      .handler(handle)
  );
}

/**
 * Declared paths start with the API version (`/v1/...`), which API Gateway serves as the stage and
 * strips from `resource` and `path`; put it back so both deployed and local events match.
 */
export function withStage(value: string, stage: string | undefined): string {
  if (!stage || value === `/${stage}` || value.startsWith(`/${stage}/`)) return value;
  return `/${stage}${value}`;
}

/**
 * An API handler assembled on its first request, for a bundle whose other functions are not given
 * what only the routes read (the identity triggers may not name the user pool that invokes them).
 * Keys are not a reason: the pipeline loads them on use (`keys`). A failed assembly is retried by
 * the next request.
 */
export function assembleOnFirstRequest(assemble: () => Promise<ApiHandler>): ApiHandler {
  let assembled: Promise<ApiHandler> | undefined;
  return async (event, context) => {
    assembled ??= assemble().catch((error: unknown) => {
      assembled = undefined;
      throw error;
    });
    return (await assembled)(event, context);
  };
}
