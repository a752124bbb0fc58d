// Middleware: the headers every API response carries, errors included. A route may set its own
// cache-control; the others are not for routes to weaken.
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export const securityHeaderValues: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

const defaultHeaderValues: Readonly<Record<string, string>> = { 'cache-control': 'no-store' };

export function securityHeaders(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const apply = (request: Request<APIGatewayProxyEvent, APIGatewayProxyResult>): void => {
    const response = request.response;
    if (!response) return;
    response.headers = { ...defaultHeaderValues, ...response.headers, ...securityHeaderValues };
  };
  return { after: apply, onError: apply, name: 'securityHeaders' };
}
