// The webhooks entry with DynamoDB, SQS and EventBridge mocked: how requests become store writes and
// how refusals become HTTP answers, before anything is written.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useFunctionEnv } from '../../support/function-env.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../http/api-events.ts';

const tenantId = 'ten_01JD0000000000000000000000';
const endpointId = 'ep_01JD0000000000000000000001';
const dynamo = mockClient(DynamoDBClient);
const eventBridge = mockClient(EventBridgeClient);
mockClient(SQSClient);
let api: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const writer = tenantCaller(['webhooks:read', 'webhooks:write'], tenantId);

beforeAll(async () => {
  useFunctionEnv({
    WEBHOOK_DELIVERIES_QUEUE_URL:
      'https://sqs.us-east-1.amazonaws.com/999988887777/plinth-webhook-deliveries',
    WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:999988887777:plinth-webhook-deliveries',
    WEBHOOK_DELIVERIES_DLQ_URL:
      'https://sqs.us-east-1.amazonaws.com/999988887777/plinth-webhook-deliveries-dlq',
    SCHEDULE_GROUP_NAME: 'plinth',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::999988887777:role/plinth-scheduler',
    WEBHOOK_SECRET_KEY: 'unit-test-webhook-secret-key-0123456789',
    EVENT_DESTINATION_ROLE_ARN: 'arn:aws:iam::999988887777:role/plinth-event-destinations',
    EVENT_DESTINATION_DLQ_ARN: 'arn:aws:sqs:us-east-1:999988887777:plinth-event-destination-failures',
  });
  ({ api } = await import('../../../functions/webhooks/handler.ts'));
});

beforeEach(() => {
  dynamo.reset();
  eventBridge.reset();
});

async function send(method: string, path: string, body?: unknown, caller = writer) {
  const res = await api(apiEvent({ method, path, caller, body }), lambdaContext());
  return { status: res.statusCode, body: res.body ? json(res.body) : {} };
}

/** The items a mocked TransactWriteItems was given, by entity. */
function writtenItems(): Array<Record<string, unknown>> {
  const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
  return items.flatMap((i) => (i.Put?.Item ? [i.Put.Item as Record<string, unknown>] : []));
}

describe('webhooks handler', () => {
  it('creating an endpoint writes it sealed, with its event, in one transaction, and answers the secret', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const res = await send('POST', '/v1/webhooks', { url: 'https://93.184.216.34/in' });

    expect(res.status).toBe(201);
    const secret = res.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const items = writtenItems();
    expect(items.map((i) => i.__edb_e__)).toEqual(['webhookEndpoint', 'event']);
    expect(items[0]).toMatchObject({ pk: `T#${tenantId}`, sk: `WH#${res.body.id as string}` });
    expect(items[1]).toMatchObject({ pk: `T#${tenantId}`, type: 'endpoint.created' });
    expect(JSON.stringify(dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input)).not.toContain(
      secret.slice('whsec_'.length),
    );
  });

  it('a cancelled create whose quota condition failed is 409 limit_reached', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
      }),
    );

    const res = await send('POST', '/v1/webhooks', { url: 'https://93.184.216.34/in' });

    expect([res.status, res.body.code, res.body.limit]).toEqual([409, 'limit_reached', 20]);
  });

  it('an http URL is refused outside one machine, and nothing is written', async () => {
    const res = await send('POST', '/v1/webhooks', { url: 'http://93.184.216.34/in' });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'body.url', code: 'url_not_allowed', message: 'The URL must use https.' },
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a URL naming the metadata address is refused', async () => {
    const res = await send('POST', '/v1/webhooks', { url: 'https://169.254.169.254/latest/meta-data' });

    expect([res.status, (res.body.errors as Array<{ code: string }>)[0]?.code]).toEqual([
      400,
      'url_not_allowed',
    ]);
  });

  it('unknown event types are rejected naming them', async () => {
    const res = await send('POST', '/v1/webhooks', {
      url: 'https://93.184.216.34/in',
      eventTypes: ['invoice.paid'],
    });

    expect((res.body.errors as Array<{ message: string }>)[0]?.message).toContain('invoice.paid');
  });

  it("an endpoint is read from the caller's own partition, so another tenant's is a 404", async () => {
    dynamo.on(GetCommand).resolves({});

    const res = await send('GET', `/v1/webhooks/${endpointId}`);

    expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      pk: `T#${tenantId}`,
      sk: `WH#${endpointId}`,
    });
  });

  it('revealing a secret needs webhooks:secrets, which webhooks:write does not give', async () => {
    const res = await send('GET', `/v1/webhooks/${endpointId}/secret`);

    expect([res.status, res.body.code]).toEqual([403, 'permission_denied']);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('an event destination in another residency zone is refused before any rule is made', async () => {
    const caller = tenantCaller(['event-destinations:write'], tenantId);

    const res = await send(
      'POST',
      '/v1/event-destinations',
      { eventBusArn: 'arn:aws:events:eu-central-1:111122223333:event-bus/orders' },
      caller,
    );

    expect([res.status, res.body.code]).toEqual([422, 'outside_residency_zone']);
    expect(eventBridge.commandCalls(PutRuleCommand)).toHaveLength(0);
  });
});
