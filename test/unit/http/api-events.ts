// API Gateway REST proxy events and Lambda contexts, as the gateway would hand them to a handler.
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { toAuthorizerContext, type CallerContext } from '../../../libs/auth/caller.ts';
import { withStage } from '../../../libs/http/api-handler.ts';

export interface EventInit {
  method: string;
  path: string;
  /** The resource template; defaults to a catch-all proxy resource, as a local proxy would send. */
  resource?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** A string is sent as is; anything else as JSON with `content-type: application/json`. */
  body?: unknown;
  isBase64Encoded?: boolean;
  caller?: CallerContext;
}

let sequence = 0;

export function apiEvent(init: EventInit): APIGatewayProxyEvent {
  sequence += 1;
  const headers: Record<string, string> = { ...init.headers };
  let body: string | null = null;
  if (typeof init.body === 'string') body = init.body;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
  }
  return {
    httpMethod: init.method,
    path: init.path,
    resource: init.resource ?? '/{proxy+}',
    pathParameters: init.pathParameters ?? { proxy: init.path.slice(1) },
    headers,
    multiValueHeaders: {},
    queryStringParameters: init.query ?? null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: init.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      protocol: 'HTTP/1.1',
      httpMethod: init.method,
      path: withStage(init.path, 'v1'),
      stage: 'v1',
      requestId: `gw-request-${sequence}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: init.resource ?? '/{proxy+}',
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      authorizer: init.caller ? toAuthorizerContext(init.caller) : null,
    },
  };
}

export function lambdaContext(remainingMillis = 10_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'plinth-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plinth-test',
    memoryLimitInMB: '512',
    awsRequestId: 'lambda-request-1',
    logGroupName: '/aws/lambda/plinth-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMillis,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function tenantCaller(
  permissions: string[],
  tenantId = 'ten_01J00000000000000000000000',
): CallerContext {
  return {
    kind: 'tenant',
    tenantId,
    principalType: 'api_key',
    principalId: 'key_01J00000000000000000000001',
    credentialId: 'key_01J00000000000000000000001',
    plan: 'starter',
    permissions: new Set(permissions),
  };
}

export function platformCaller(
  permissions: string[],
  principalId = 'key_01J0000000000000000000ADMN',
): CallerContext {
  return { kind: 'platform', principalId, credentialId: principalId, permissions: new Set(permissions) };
}

export function json(body: string): Record<string, unknown> {
  return JSON.parse(body) as Record<string, unknown>;
}
