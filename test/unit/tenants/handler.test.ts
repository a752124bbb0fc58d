// The tenants entry with DynamoDB mocked: how store outcomes become HTTP answers.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { platformPermissions } from '../../../libs/auth/permissions.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import { sampleTenantId, storedTenant, tenantItem } from '../../support/items.ts';
import { apiEvent, json, lambdaContext, platformCaller, tenantCaller } from '../http/api-events.ts';

const tenantId = sampleTenantId;
const dynamo = mockClient(DynamoDBClient);
let api: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const admin = platformCaller([...platformPermissions]);

const stored = storedTenant(tenantItem({ activeApiKeys: 2 }));

beforeAll(async () => {
  useFunctionEnv();
  ({ api } = await import('../../../functions/tenants/handler.ts'));
});

beforeEach(() => dynamo.reset());

describe('tenants handler', () => {
  it('GET /v1/tenant answers the caller tenant, read by the id from its credential, without internal fields', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });

    const res = await api(
      apiEvent({ method: 'GET', path: '/v1/tenant', caller: tenantCaller(['tenant:read'], tenantId) }),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toEqual({
      id: tenantId,
      slug: 'acme',
      name: 'Acme',
      plan: 'starter',
      homeRegion: 'us-east-1',
      status: 'active',
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
    });
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      pk: `T#${tenantId}`,
      sk: 'TENANT',
    });
  });

  it('a cancelled create whose slug claim failed its condition is 409 slug_taken', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );

    const res = await api(
      apiEvent({
        method: 'POST',
        path: '/v1/platform/tenants',
        caller: admin,
        body: { name: 'Acme', slug: 'acme', region: 'us-east-1' },
      }),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(409);
    expect(json(res.body)).toMatchObject({ code: 'slug_taken', slug: 'acme' });
  });

  it('creating a tenant of another configured region is 421 wrong_region and writes nothing', async () => {
    const res = await api(
      apiEvent({
        method: 'POST',
        path: '/v1/platform/tenants',
        caller: admin,
        body: { name: 'Eu', slug: 'eu-co', region: 'eu-central-1' },
      }),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(421);
    expect(json(res.body).code).toBe('wrong_region');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a tenant that does not exist is a 404', async () => {
    dynamo.on(GetCommand).resolves({});

    const res = await api(
      apiEvent({ method: 'GET', path: `/v1/platform/tenants/${tenantId}`, caller: admin }),
      lambdaContext(),
    );

    expect([res.statusCode, json(res.body).code]).toEqual([404, 'not_found']);
  });
});
