// Middleware: the one place errors become responses. A Problem is rendered as it was thrown; any
// other error is logged in full and answered with a bare 500, so no message or stack reaches a client.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { Problem, problems } from './problem.ts';
import { problemResponse } from './responses.ts';

/** API Gateway's request id (the one its own problem responses carry), else Lambda's. */
export function requestIdOf(event: APIGatewayProxyEvent, context: Context): string {
  // Hand-made events (tests, other proxies) may carry no request context at all.
  const fromGateway = event.requestContext?.requestId;
  return fromGateway ? fromGateway : context.awsRequestId;
}

export function problemDetails(options: {
  logger: Logger;
}): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { logger } = options;
  return {
    name: 'problemDetails',
    onError: (request) => {
      const error: unknown = request.error;
      let problem: Problem;
      if (error instanceof Problem && error.status < 500) {
        problem = error;
        logger.info('request refused', { status: problem.status, code: problem.code });
      } else if (error instanceof Problem) {
        problem = error;
        logger.error('request failed', { status: problem.status, code: problem.code, error });
      } else {
        problem = problems.internal();
        if (error instanceof Error) logger.error('request failed', error);
        else logger.error('request failed', { error: String(error) });
      }
      // requestContext.path keeps the stage (/v1/...) that API Gateway strips from event.path.
      const event = request.event as APIGatewayProxyEvent | undefined;
      const path = event?.requestContext?.path ?? event?.path ?? '/';
      request.response = problemResponse(problem, path, requestIdOf(request.event, request.context));
    },
  };
}
