// API Gateway REQUEST authorizer: verifies the bearer credential, loads the tenant and answers with a
// policy for the whole API plus the caller context the routes read. Denials carry a problem `code`
// that the ACCESS_DENIED gateway response (and the local runtime) renders as problem+json.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { toAuthorizerContext } from '../../libs/auth/caller.ts';
import { loadAuthorizerConfig } from './config.ts';
import { createCredentialStore } from './store.ts';
import { bearerToken, decide, shouldRecordUse } from './verify.ts';

const config = loadAuthorizerConfig();
const credentials = createCredentialStore(createDynamoDbClient(config.region), config.tableName);
const logger = new Logger({ serviceName: 'authorizer' });

/** The policy covers every method and path of the stage, so a cached decision serves the whole API. */
function apiWildcard(methodArn: string): string {
  const [arnPrefix, stage] = methodArn.split('/');
  return `${arnPrefix}/${stage}/*`;
}

function header(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}

async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const decision = await decide(
    bearerToken(header(event, 'authorization')),
    config.region,
    credentials.reads,
  );
  const resource = apiWildcard(event.methodArn);

  if (decision.effect === 'unauthorized') {
    logger.info('credential refused', { reason: decision.reason });
    // API Gateway turns exactly this message into a 401.
    throw new Error('Unauthorized');
  }
  if (decision.effect === 'deny') {
    logger.info('caller denied', { tenantId: decision.tenantId, code: decision.code });
    return {
      principalId: decision.tenantId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: resource }],
      },
      context: { code: decision.code, detail: decision.detail },
    };
  }

  const now = new Date();
  if (shouldRecordUse(decision.key, now)) {
    await credentials
      .recordUse(decision.key, now)
      .catch((error: unknown) => logger.warn('could not record key use', { error }));
  }
  const caller = decision.caller;
  logger.appendKeys({ tenantId: caller.kind === 'tenant' ? caller.tenantId : 'platform' });
  return {
    principalId: caller.principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    context: toAuthorizerContext(caller),
  };
}

export const handler = middy(authorize).use(injectLambdaContext(logger, { resetKeys: true }));
