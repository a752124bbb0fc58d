// How route results and problems look on the wire: JSON bodies, lower-case header names.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problemContentType, type Problem } from './problem.ts';
import type { RouteResponse } from './route.ts';

function lowerCaseNames(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

export function jsonResponse(response: RouteResponse): APIGatewayProxyResult {
  const headers = lowerCaseNames(response.headers);
  if (response.status === 204 || response.body === undefined) {
    return { statusCode: response.status, headers, body: '' };
  }
  return {
    statusCode: response.status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(response.body),
  };
}

/** RFC 9457 body, with the request's path as `instance` and its id so a report can be traced. */
export function problemResponse(
  problem: Problem,
  instance: string,
  requestId: string,
): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { ...lowerCaseNames(problem.headers), 'content-type': problemContentType },
    body: JSON.stringify({ ...problem.toBody(instance), requestId }),
  };
}
