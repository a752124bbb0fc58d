// The authorizer entry with DynamoDB mocked: the policy and context API Gateway receives.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import {
  apiKeyFixture,
  sampleTenantId,
  storedApiKey,
  storedTenant,
  tenantItem,
} from '../../support/items.ts';
import { useFunctionEnv } from '../../support/function-env.ts';

const tenantId = sampleTenantId;
const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/GET/tenant';
const context = { functionName: 'authorizer', awsRequestId: 'req-1' } as Context;

function event(...authorizations: string[]): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    headers: authorizations.length > 0 ? { Authorization: authorizations.at(-1) } : {},
    multiValueHeaders: authorizations.length > 0 ? { Authorization: authorizations } : {},
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

function storeItems(status: 'active' | 'suspended') {
  const key = apiKeyFixture();
  const keyItem = storedApiKey(key.item);
  const tenant = storedTenant(tenantItem({ status }));
  dynamo.on(GetCommand).callsFake((input: { Key: { sk: string } }) => ({
    Item: input.Key.sk === tenant.sk ? tenant : keyItem,
  }));
  dynamo.on(UpdateCommand).resolves({});
  return key.token;
}

// Access tokens are checked against the keys this server publishes, as on one machine.
const userPoolId = 'us-east-1_UnitTest1';
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = {
  keys: [{ ...signingKey.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
};
let jwksServer: Server;
let jwksAvailable = true;

function accessToken(privateKey: KeyObject, kid: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part({
    sub: 'user-1',
    iss: `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`,
    client_id: 'unit-first-party-client',
    token_use: 'access',
    origin_jti: 'origin-1',
    tenant_id: sampleTenantId,
    auth_time: now - 60,
    iat: now - 60,
    exp: now + 3600,
    ...claims,
  })}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
}

beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    res.writeHead(jwksAvailable ? 200 : 503, { 'content-type': 'application/json' });
    res.end(jwksAvailable ? JSON.stringify(jwks) : '{}');
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as AddressInfo;
  useFunctionEnv({
    USER_POOL_ID: userPoolId,
    IDENTITY_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
    PLINTH_LOCAL: 'true',
  });
  ({ handler } = await import('../../../functions/authorizer/handler.ts'));
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
});

beforeEach(() => {
  dynamo.reset();
  jwksAvailable = true;
});

describe('authorizer handler', () => {
  it('allows an active tenant key for the whole stage and passes the caller context', async () => {
    const token = storeItems('active');

    const result = await handler(event(`Bearer ${token}`), context);

    expect(result.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/*',
    });
    expect(result.context).toMatchObject({
      kind: 'tenant',
      tenantId,
      plan: 'starter',
      permissions: 'tenant:read',
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('denies a suspended tenant with the problem code the gateway response renders', async () => {
    const token = storeItems('suspended');

    const result = await handler(event(`Bearer ${token}`), context);

    expect(result.policyDocument.Statement[0]?.Effect).toBe('Deny');
    expect(result.context?.code).toBe('tenant_suspended');
  });

  it('throws Unauthorized for a request without the header, as API Gateway answers it itself', async () => {
    await expect(handler(event(), context)).rejects.toThrow('Unauthorized');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('passes a refused credential on as a 401 refusal with its reason, and no caller', async () => {
    const result = await handler(event('Bearer not-a-plinth-key'), context);

    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
    expect(result.context).toEqual({
      kind: 'refused',
      status: '401',
      code: 'unauthorized',
      detail: 'The bearer token is neither a Plinth API key nor an access token.',
    });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  // A refusal is an answer: thrown, it would count as a function error and page the operator.
  it.each([
    ['a token that is no credential', () => 'not-a-plinth-key', 'neither a Plinth API key'],
    ['an unknown API key', () => apiKeyFixture().token, 'The API key is not valid.'],
    [
      'an expired access token',
      () => accessToken(signingKey.privateKey, 'k1', { exp: Math.floor(Date.now() / 1000) - 60 }),
      'The access token has expired',
    ],
    [
      'an access token signed by an unknown key',
      () => accessToken(strangerKey.privateKey, 'k2'),
      'another user pool',
    ],
    [
      'a tampered access token',
      () => `${accessToken(signingKey.privateKey, 'k1')}x`,
      'could not be verified',
    ],
    [
      'a JWT of another user pool',
      () =>
        accessToken(signingKey.privateKey, 'k1', {
          iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other',
        }),
      'another user pool',
    ],
  ])('answers %s with a 401 refusal instead of throwing', async (_name, token, detail) => {
    dynamo.on(GetCommand).resolves({});

    const result = await handler(event(`Bearer ${token()}`), context);

    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
    expect(result.context).toMatchObject({ kind: 'refused', status: '401', code: 'unauthorized' });
    expect(result.context?.detail).toContain(detail);
  });

  it('fails, rather than refusing the caller, when the keys to check a token with cannot be fetched', async () => {
    jwksAvailable = false;

    await expect(
      handler(event(`Bearer ${accessToken(strangerKey.privateKey, 'k3')}`), context),
    ).rejects.toThrow('could not load the JWKS');
  });

  it('refuses an unknown key and a wrong secret alike, and a revoked key otherwise', async () => {
    const key = apiKeyFixture();
    const other = apiKeyFixture();
    const tenant = storedTenant(tenantItem({ status: 'active' }));
    const answer = async (item: Record<string, unknown> | undefined) => {
      dynamo.reset();
      dynamo.on(GetCommand).callsFake((input: { Key: { sk: string } }) => ({
        Item: input.Key.sk === tenant.sk ? tenant : item,
      }));
      return (await handler(event(`Bearer ${key.token}`), context)).context;
    };

    const unknown = await answer(undefined);
    const wrongSecret = await answer(storedApiKey({ ...key.item, secretHash: other.item.secretHash }));
    const revoked = await answer(storedApiKey({ ...key.item, status: 'revoked' }));

    expect(wrongSecret).toEqual(unknown);
    expect(revoked?.detail).toBe('This API key has been revoked.');
    expect(revoked?.detail).not.toBe(unknown?.detail);
  });

  it('refuses two Authorization headers with 400 multiple_credentials, authenticating neither', async () => {
    const token = storeItems('active');

    const result = await handler(event(`Bearer ${token}`, `Bearer ${token}`), context);

    expect(result.context).toMatchObject({ kind: 'refused', status: '400', code: 'multiple_credentials' });
    expect(result.context).not.toHaveProperty('tenantId');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('counts Authorization headers whatever their casing', async () => {
    const token = storeItems('active');
    const twoNames = {
      ...event(),
      headers: { authorization: `Bearer ${token}`, Authorization: `Bearer ${token}` },
      multiValueHeaders: { authorization: [`Bearer ${token}`], Authorization: [`Bearer ${token}`] },
    } as unknown as APIGatewayRequestAuthorizerEvent;

    const result = await handler(twoNames, context);

    expect(result.context).toMatchObject({ kind: 'refused', code: 'multiple_credentials' });
  });
});
