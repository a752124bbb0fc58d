// API Gateway REQUEST authorizer: verifies the bearer credential (a Plinth API key or a Cognito
// access token), loads the tenant and answers with a policy for the whole API plus the caller
// context the routes read. Denials carry a problem `code` that the ACCESS_DENIED gateway response
// (and the local runtime) renders as problem+json; a refused credential reaches the API handler as a
// refusal (see libs/http/credentials.ts), which answers the 401 with the reason.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { toAuthorizerContext, type CallerContext } from '../../libs/auth/caller.ts';
import {
  authorizationValues,
  multipleCredentials,
  refusalContext,
  type CredentialRefusal,
} from '../../libs/http/credentials.ts';
import { loadAuthorizerConfig } from './config.ts';
import { createTokenVerifier, looksLikeJwt } from './jwt.ts';
import { createCredentialStore } from './store.ts';
import { decideUser, shouldTouchSession, type UserDecision } from './user.ts';
import {
  bearerToken,
  decide,
  refusalDetail,
  shouldRecordUse,
  tokenRefusalReason,
  type Decision,
} from './verify.ts';

const config = loadAuthorizerConfig();
const credentials = createCredentialStore(createDynamoDbClient(config.region), config.tableName);
const tokens = config.userPool ? createTokenVerifier(config.userPool) : undefined;
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

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string) {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  };
}

async function decideApiKey(token: string | undefined): Promise<Decision> {
  const decision = await decide(token, config.region, credentials.reads);
  if (decision.effect === 'allow') {
    const now = new Date();
    if (shouldRecordUse(decision.key, now)) {
      await credentials
        .recordUse(decision.key, now)
        .catch((error: unknown) => logger.warn('could not record key use', { error }));
    }
  }
  return decision;
}

async function decideToken(token: string, event: APIGatewayRequestAuthorizerEvent): Promise<UserDecision> {
  if (!tokens) return { effect: 'unauthorized', reason: 'no user pool is configured' };
  let claims;
  try {
    claims = await tokens.verify(token);
  } catch (error) {
    logger.info('token refused', { why: (error as Error).message });
    return { effect: 'unauthorized', reason: tokenRefusalReason(error) };
  }
  const now = new Date();
  const decision = await decideUser(claims, config.region, credentials.userReads, now);
  if (decision.effect !== 'allow') return decision;
  const ip = event.requestContext?.identity?.sourceIp ?? 'unknown';
  const { user, session } = decision;
  const write = session
    ? shouldTouchSession(session, now)
      ? credentials.touchSession(session, now, ip)
      : undefined
    : credentials.openSession(
        {
          tenantId: user.tenantId,
          userId: user.userId,
          sessionId: decision.caller.credentialId,
          userAgent: (header(event, 'user-agent') ?? 'unknown').slice(0, 512),
          ip,
          authTime: claims.authTime,
        },
        now,
      );
  await write?.catch((error: unknown) => logger.warn('could not record the session', { error }));
  return decision;
}

/** Lets the call through to the API handler, which answers the refusal (no caller is passed on). */
function refuse(refusal: CredentialRefusal, resource: string): APIGatewayAuthorizerResult {
  return { ...policy('refused', 'Allow', resource), context: refusalContext(refusal) };
}

async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const resource = apiWildcard(event.methodArn);
  const authorizations = authorizationValues(event);
  // API Gateway answers a request without the header itself, with the same 401, never calling us.
  if (authorizations.length === 0) throw new Error('Unauthorized');
  if (authorizations.length > 1) {
    logger.info('credential refused', { reason: 'more than one Authorization header' });
    return refuse(multipleCredentials, resource);
  }

  const token = bearerToken(authorizations[0]);
  const decision: Decision | UserDecision =
    token && looksLikeJwt(token) ? await decideToken(token, event) : await decideApiKey(token);

  if (decision.effect === 'unauthorized') {
    logger.info('credential refused', { reason: decision.reason });
    return refuse({ status: 401, code: 'unauthorized', detail: refusalDetail(decision.reason) }, resource);
  }
  if (decision.effect === 'deny') {
    logger.info('caller denied', { tenantId: decision.tenantId, code: decision.code });
    return {
      ...policy(decision.tenantId, 'Deny', resource),
      context: { code: decision.code, detail: decision.detail },
    };
  }

  const caller: CallerContext = decision.caller;
  logger.appendKeys({ tenantId: caller.kind === 'tenant' ? caller.tenantId : 'platform' });
  return { ...policy(caller.principalId, 'Allow', resource), context: toAuthorizerContext(caller) };
}

export const handler = middy(authorize).use(injectLambdaContext(logger, { resetKeys: true }));
