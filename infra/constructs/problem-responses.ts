// API Gateway's own answers (no credential, denied, unknown route, throttled, its own failures)
// rendered as the same RFC 9457 problem+json that the functions return, with a stable code.
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { problemContentType, problemTypeBase } from '../../libs/http/problem.ts';

export interface ProblemResponse {
  readonly type: apigw.ResponseType;
  /** Omitted where API Gateway's own status is kept (the DEFAULT_* families). */
  readonly status?: number;
  readonly title: string;
  /** A literal code, or a `$context` variable API Gateway substitutes. */
  readonly code: string;
  /** A JSON value: a quoted literal, or a `$context` variable (quoted, or a `...String` variable that quotes itself). */
  readonly detail: string;
  readonly headers?: Record<string, string>;
}

/** The authorizer puts `code` (e.g. `tenant_suspended`) and `detail` in its context when it denies. */
const denied: ProblemResponse = {
  type: apigw.ResponseType.ACCESS_DENIED,
  status: 403,
  title: 'Forbidden',
  code: '$context.authorizer.code',
  detail: '"$context.authorizer.detail"',
};

export const problemResponses: readonly ProblemResponse[] = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    status: 401,
    title: 'Unauthorized',
    code: 'unauthorized',
    detail: JSON.stringify('A valid credential is required.'),
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  denied,
  {
    // API Gateway's answer to a path or method it has no resource for.
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    title: 'Not Found',
    code: 'not_found',
    detail: JSON.stringify('No such route.'),
  },
  {
    type: apigw.ResponseType.THROTTLED,
    status: 429,
    title: 'Too Many Requests',
    code: 'rate_limited',
    detail: JSON.stringify('Too many requests; slow down and retry.'),
    headers: { 'Retry-After': '1' },
  },
  {
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    status: 429,
    title: 'Too Many Requests',
    code: 'quota_exceeded',
    detail: JSON.stringify("The monthly request quota of the tenant's plan is used up."),
  },
  {
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    title: 'Content Too Large',
    code: 'payload_too_large',
    detail: JSON.stringify('The request body is too large.'),
  },
  {
    type: apigw.ResponseType.DEFAULT_4XX,
    title: 'Bad Request',
    code: 'bad_request',
    // API Gateway's own message, already quoted and escaped.
    detail: '$context.error.messageString',
  },
  {
    type: apigw.ResponseType.DEFAULT_5XX,
    title: 'Internal Server Error',
    code: 'internal_error',
    detail: JSON.stringify('Something went wrong on our side; it has been logged.'),
  },
];

/** The problem body as a mapping template; API Gateway substitutes the `$context` variables. */
export function problemTemplate(problem: ProblemResponse): string {
  const type = `${problemTypeBase}${problem.code}`;
  const members = [
    `"type":"${type}"`,
    `"title":"${problem.title}"`,
    ...(problem.status === undefined ? [] : [`"status":${problem.status}`]),
    `"code":"${problem.code}"`,
    `"detail":${problem.detail}`,
    '"instance":"$context.path"',
    '"requestId":"$context.requestId"',
  ];
  return `{${members.join(',')}}`;
}

export function addProblemResponses(api: apigw.RestApi): void {
  for (const problem of problemResponses) {
    const headers = { 'Content-Type': problemContentType, 'Cache-Control': 'no-store', ...problem.headers };
    api.addGatewayResponse(problem.type.responseType, {
      type: problem.type,
      ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
      responseHeaders: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name, `'${value}'`]),
      ),
      templates: { 'application/json': problemTemplate(problem) },
    });
  }
}
