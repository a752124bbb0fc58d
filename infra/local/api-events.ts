// The events API Gateway hands to Lambda for a REST API: the REQUEST authorizer's event, the proxy
// integration's event (v1), and how the authorizer's answer is read. As on AWS, the stage (`v1`) is
// not part of `path` and `resource` but is part of `requestContext.path`. Pure, so each shape is
// tested without a server.
import { isUtf8 } from 'node:buffer';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayEventDefaultAuthorizerContext,
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { apiStage } from '../topology.ts';
import { localAccountId } from './environment.ts';

export const localApiId = 'local';

/** What the gateway read off the wire. */
export interface GatewayRequest {
  method: string;
  /** The raw path, without the query string, e.g. `/v1/platform/tenants/ten_1`. */
  path: string;
  /** The raw query string without `?`. */
  query: string;
  /** Node's `rawHeaders`: names as the client wrote them, alternating with values. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  requestId: string;
  receivedAt: Date;
}

/** The matched resource: its template as declared and the parameters read from the path. */
export interface GatewayResource {
  /** e.g. `/v1/platform/tenants/{tenantId}` */
  resource: string;
  pathParameters: Record<string, string>;
}

interface Parameters {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
}

/**
 * API Gateway gives the last value in the single-value map and every value in the multi-value one.
 * Names come from the client, so they are grouped in a Map: on a plain object `__proto__` or
 * `constructor` would be the prototype's. Object.fromEntries then defines them as own properties.
 */
function collect(pairs: Iterable<[string, string]>): Parameters {
  const multi = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = multi.get(name);
    if (values) values.push(value);
    else multi.set(name, [value]);
  }
  if (multi.size === 0) return { single: null, multi: null };
  const single = [...multi].map(([name, values]): [string, string] => [name, values.at(-1)!]);
  return { single: Object.fromEntries(single), multi: Object.fromEntries(multi) };
}

function headerPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return pairs;
}

function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  return headerPairs(rawHeaders).find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Bodies of these types reach the function as text; anything else arrives base64-encoded. */
export function isTextContent(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type === '' ||
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    [
      'application/json',
      'application/xml',
      'application/x-www-form-urlencoded',
      'application/javascript',
    ].includes(type)
  );
}

/** `/v1/tenant` → `/tenant`: API Gateway serves the first segment as the stage and strips it. */
export function withoutStage(path: string): string {
  const prefix = `/${apiStage}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

/** `arn:aws:execute-api:<region>:<account>:<api>/v1/GET/tenant`: the resource part is relative to the stage. */
export function methodArn(region: string, method: string, path: string): string {
  const resource = withoutStage(path).replace(/^\//, '');
  return `arn:aws:execute-api:${region}:${localAccountId}:${localApiId}/${apiStage}/${method.toUpperCase()}/${resource}`;
}

/** `dd/Mon/yyyy:HH:mm:ss +0000`, API Gateway's requestTime. */
function requestTime(at: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`
  );
}

function requestContext<A>(
  request: GatewayRequest,
  resource: string,
  authorizer: A,
): APIGatewayEventRequestContextWithAuthorizer<A> {
  const identity: APIGatewayEventIdentity = {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: request.sourceIp,
    user: null,
    userAgent: headerValue(request.rawHeaders, 'user-agent') ?? null,
    userArn: null,
  };
  return {
    accountId: localAccountId,
    apiId: localApiId,
    authorizer,
    domainName: headerValue(request.rawHeaders, 'host') ?? 'localhost',
    extendedRequestId: request.requestId,
    httpMethod: request.method,
    identity,
    path: request.path,
    protocol: 'HTTP/1.1',
    requestId: request.requestId,
    requestTime: requestTime(request.receivedAt),
    requestTimeEpoch: request.receivedAt.getTime(),
    resourceId: localApiId,
    resourcePath: withoutStage(resource),
    stage: apiStage,
  };
}

function requestParts(request: GatewayRequest, matched: GatewayResource) {
  const headers = collect(headerPairs(request.rawHeaders));
  const query = collect(new URLSearchParams(request.query).entries());
  const hasParameters = Object.keys(matched.pathParameters).length > 0;
  return {
    resource: withoutStage(matched.resource),
    path: withoutStage(request.path),
    httpMethod: request.method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    pathParameters: hasParameters ? matched.pathParameters : null,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    stageVariables: null,
  };
}

export function buildAuthorizerEvent(
  request: GatewayRequest,
  matched: GatewayResource,
  region: string,
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: methodArn(region, request.method, request.path),
    ...requestParts(request, matched),
    requestContext: requestContext(request, matched.resource, undefined),
  };
}

export function buildProxyEvent(
  request: GatewayRequest,
  matched: GatewayResource,
  authorizer: APIGatewayEventDefaultAuthorizerContext,
): APIGatewayProxyEvent {
  // Bytes that are not UTF-8 go base64-encoded, so the handler sees them as sent and refuses them,
  // instead of text in which each bad byte became U+FFFD.
  const text = isTextContent(headerValue(request.rawHeaders, 'content-type')) && isUtf8(request.body);
  const body = request.body.length === 0 ? null : request.body.toString(text ? 'utf8' : 'base64');
  return {
    ...requestParts(request, matched),
    body,
    isBase64Encoded: body !== null && !text,
    requestContext: requestContext(request, matched.resource, authorizer),
  };
}

export type AuthorizerDecision =
  | { effect: 'allow'; context: Record<string, unknown> }
  | { effect: 'deny'; context: Record<string, unknown> }
  | { effect: 'invalid'; reason: string };

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** IAM-style globbing: `*` any run of characters, `?` exactly one. */
function globMatches(glob: string, value: string): boolean {
  const source = glob
    .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

function statementCovers(statement: Record<string, unknown>, arn: string): boolean {
  const actions = asList(statement.Action).filter((a): a is string => typeof a === 'string');
  const resources = asList(statement.Resource).filter((r): r is string => typeof r === 'string');
  return (
    actions.some((a) => globMatches(a, 'execute-api:Invoke')) && resources.some((r) => globMatches(r, arn))
  );
}

/**
 * Reads an authorizer's answer for one method ARN: an explicit Deny wins, then an Allow that covers
 * the ARN; a policy that covers nothing denies. The context passed on is the result's `context`
 * with its `principalId`, as API Gateway puts it in `requestContext.authorizer`.
 */
export function authorizerDecision(result: unknown, arn: string): AuthorizerDecision {
  const answer = result as Partial<APIGatewayAuthorizerResult> | null | undefined;
  if (!answer || typeof answer !== 'object')
    return { effect: 'invalid', reason: 'the authorizer returned no object' };
  if (typeof answer.principalId !== 'string') return { effect: 'invalid', reason: 'principalId is missing' };
  const statements = asList(answer.policyDocument?.Statement).filter(
    (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
  );
  if (statements.length === 0) return { effect: 'invalid', reason: 'policyDocument has no statements' };
  const context = { ...(answer.context ?? {}), principalId: answer.principalId };
  const covering = statements.filter((s) => statementCovers(s, arn));
  if (covering.some((s) => s.Effect === 'Deny')) return { effect: 'deny', context };
  if (covering.some((s) => s.Effect === 'Allow')) return { effect: 'allow', context };
  return { effect: 'deny', context };
}
