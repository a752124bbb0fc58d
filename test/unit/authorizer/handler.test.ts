// The authorizer entry with DynamoDB mocked: the policy and context API Gateway receives.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

function event(authorization?: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    headers: authorization ? { Authorization: authorization } : {},
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

beforeAll(async () => {
  useFunctionEnv();
  ({ handler } = await import('../../../functions/authorizer/handler.ts'));
});

beforeEach(() => dynamo.reset());

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

  it('throws Unauthorized (API Gateway 401) for a missing or foreign token', async () => {
    await expect(handler(event(), context)).rejects.toThrow('Unauthorized');
    await expect(handler(event('Bearer not-a-plinth-key'), context)).rejects.toThrow('Unauthorized');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });
});
