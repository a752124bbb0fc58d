// The delivery routes of an endpoint over a real DynamoDB (Local) and SQS (fauxqs): the delivery log,
// test events and recovery jobs, reachable only through the tenant's own endpoint.
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { loadWebhooksConfig } from '../../../functions/webhooks/config.ts';
import {
  createDeliveryEntities,
  dueFields,
  type DeliveryItem,
} from '../../../functions/webhooks/delivery-entities.ts';
import { createDeliveryStore, type DeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { defaultFilteredPageBounds } from '../../../libs/data/filtered-page.ts';
import { createWebhookEntities } from '../../../functions/webhooks/entities.ts';
import { deliveryRoutes } from '../../../functions/webhooks/routes/deliveries.ts';
import { endpointRoutes } from '../../../functions/webhooks/routes/endpoints.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { createWebhookStore } from '../../../functions/webhooks/store.ts';
import { startSqsAndS3, type SqsAndS3 } from '../../../infra/local/sqs-and-s3.ts';
import { functionEnv } from '../../support/function-env.ts';
import { tenantItem } from '../../support/items.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';

const region = 'us-east-1';
let sqsService: SqsAndS3;
let sqs: SQSClient;
let queueUrl: string;
let entities: ReturnType<typeof createEntities>;
let deliveryEntities: ReturnType<typeof createDeliveryEntities>;
let deliveries: DeliveryStore;
let api: ApiHandler;

beforeAll(async () => {
  const tables = await createTestTables();
  sqsService = await startSqsAndS3({ region });
  sqs = new SQSClient({
    endpoint: sqsService.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `deliveries-${ulid()}` }))).QueueUrl!;
  const dataTables = { client: tables.client, tableName: tables.tableName };
  entities = createEntities({ ...dataTables, directoryTableName: tables.directoryTableName });
  const config = loadWebhooksConfig(
    functionEnv({
      TABLE_NAME: tables.tableName,
      WEBHOOK_DELIVERIES_QUEUE_URL: queueUrl,
      WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:deliveries',
      WEBHOOK_DELIVERIES_DLQ_URL: `${queueUrl}-dlq`,
      SCHEDULE_GROUP_NAME: 'plinth',
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/scheduler',
      WEBHOOK_SECRET_KEY: 'integration-webhook-secret-key-0123456789',
    }),
  );
  deliveryEntities = createDeliveryEntities(dataTables);
  deliveries = createDeliveryStore({
    entities: { ...deliveryEntities, tenant: entities.tenant },
    sqs,
    deliveriesQueueUrl: queueUrl,
    deployment: config.runtime.deployment,
  });
  const deps = {
    config,
    store: createWebhookStore({
      event: entities.event,
      job: entities.job,
      ...createWebhookEntities(dataTables),
    }),
    deliveries,
    secretBox: createSecretBox('integration-webhook-secret-key-0123456789'),
    rules: { put: () => Promise.resolve(), remove: () => Promise.resolve() },
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    resolve: () => Promise.resolve([{ address: '93.184.216.34', family: 4 }]),
    clock: () => new Date(),
  };
  api = createApiHandler({
    serviceName: 'webhooks',
    logger: new Logger({ logLevel: 'SILENT' }),
    routes: [...endpointRoutes(deps), ...deliveryRoutes(deps)],
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await sqsService?.stop();
});

async function newTenant(): Promise<string> {
  const tenantId = `ten_${ulid()}`;
  // The delivery store reads the tenant's plan for how long delivery logs are kept.
  await entities.tenant.create(tenantItem({ tenantId, slug: tenantId.toLowerCase() })).go();
  return tenantId;
}

function callAs(tenantId: string) {
  const caller = tenantCaller([...tenantPermissions], tenantId);
  return async (method: string, path: string, body?: unknown, query?: Record<string, string>) => {
    const res = await api(
      apiEvent({ method, path, caller, body, ...(query ? { query } : {}) }),
      lambdaContext(),
    );
    return { status: res.statusCode, headers: res.headers ?? {}, body: res.body ? json(res.body) : {} };
  };
}

const hook = { url: 'https://hooks.example.com/in' };

/** Finished deliveries of the endpoint, oldest first, in runs of one status each, written in batches. */
async function putDeliveries(
  tenantId: string,
  endpointId: string,
  runs: Array<{ status: 'failed' | 'succeeded'; count: number }>,
): Promise<DeliveryItem[]> {
  const at = new Date('2026-02-01T00:00:00Z');
  const items: DeliveryItem[] = [];
  for (const run of runs) {
    for (let i = 0; i < run.count; i++) {
      const event = {
        id: ulid(at.getTime() + items.length),
        type: 'tenant.updated',
        version: 1,
        tenantId,
        actor: { type: 'user', id: 'usr_1' },
        occurredAt: at.toISOString(),
        data: {},
      };
      const pending = await deliveries.newDelivery(event, endpointId, at);
      items.push({ ...pending, ...dueFields(pending, run.status, at.toISOString()), attempts: 1 });
    }
  }
  await deliveryEntities.webhookDelivery.put(items).go();
  return items;
}

describe('deliveries and recovery', () => {
  it('a test event is a 202 delivery of webhook.test, queued and listed in the endpoint log', async () => {
    const call = callAs(await newTenant());
    const id = (await call('POST', '/v1/webhooks', { ...hook, eventTypes: ['tenant.updated'] })).body
      .id as string;

    const sent = await call('POST', `/v1/webhooks/${id}/test`);
    const deliveryId = sent.body.id as string;
    const [list, one, attempts] = await Promise.all([
      call('GET', `/v1/webhooks/${id}/deliveries`, undefined, { eventType: 'webhook.test' }),
      call('GET', `/v1/webhooks/${id}/deliveries/${deliveryId}`),
      call('GET', `/v1/webhooks/${id}/deliveries/${deliveryId}/attempts`),
    ]);

    expect([sent.status, sent.body.eventType, sent.body.status]).toEqual([202, 'webhook.test', 'pending']);
    expect((list.body.items as Array<{ id: string }>).map((d) => d.id)).toEqual([deliveryId]);
    expect([one.status, one.body.webhookId]).toEqual([200, `msg_${deliveryId}`]);
    expect(attempts.body).toEqual({ items: [] });
    const queued = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(queued.Messages?.map((m) => (JSON.parse(m.Body!) as { deliveryId: string }).deliveryId)).toContain(
      deliveryId,
    );
  });

  it('a delivery of another endpoint is not found through this one', async () => {
    const call = callAs(await newTenant());
    const a = (await call('POST', '/v1/webhooks', hook)).body.id as string;
    const b = (await call('POST', '/v1/webhooks', hook)).body.id as string;
    const deliveryId = (await call('POST', `/v1/webhooks/${a}/test`)).body.id as string;

    const res = await call('GET', `/v1/webhooks/${b}/deliveries/${deliveryId}`);

    expect(res.status).toBe(404);
  });

  it('recover answers 202 with a queued webhooks.recover job and its Location', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;

    const res = await call('POST', `/v1/webhooks/${id}/recover`, { since: '2026-01-01T01:00:00+01:00' });

    const jobId = res.body.id as string;
    expect([res.status, res.headers.location, res.body.kind, res.body.status]).toEqual([
      202,
      `/v1/jobs/${jobId}`,
      'webhooks.recover',
      'queued',
    ]);
    const { data: job } = await entities.job.get({ tenantId, jobId }).go();
    expect(job?.input).toEqual({ endpointId: id, since: '2026-01-01T00:00:00.000Z' });
  });

  it('recover reads no deliveries in the request: the job finds its total as it pages', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;
    await putDeliveries(tenantId, id, [{ status: 'failed', count: 3 }]);

    const res = await call('POST', `/v1/webhooks/${id}/recover`, { since: '2026-01-01T00:00:00Z' });

    expect([res.status, res.body.progress]).toEqual([
      202,
      { total: 0, processed: 0, succeeded: 0, failed: 0, percent: 0 },
    ]);
  });

  it('a filtered delivery log page reads a bounded number of deliveries, then says there is more', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;
    const { maxReads, readSize } = defaultFilteredPageBounds;
    // Newest first: the one failed delivery is older than more succeeded ones than a page may read.
    const [failed] = await putDeliveries(tenantId, id, [
      { status: 'failed', count: 1 },
      { status: 'succeeded', count: maxReads * readSize + 10 },
    ]);
    const pages: Array<{ items: Array<{ id: string }>; nextCursor?: string }> = [];
    let cursor: string | undefined;
    do {
      const res = await call('GET', `/v1/webhooks/${id}/deliveries`, undefined, {
        status: 'failed',
        limit: '25',
        ...(cursor ? { cursor } : {}),
      });
      pages.push(res.body as (typeof pages)[number]);
      cursor = pages.at(-1)?.nextCursor;
    } while (cursor && pages.length < 5);

    expect(pages[0]).toEqual({ items: [], nextCursor: expect.any(String) as unknown });
    expect(pages.flatMap((p) => p.items.map((d) => d.id))).toEqual([failed!.deliveryId]);
    expect(pages.at(-1)?.nextCursor).toBeUndefined();
  });

  it('recover refuses a time in the future', async () => {
    const call = callAs(await newTenant());
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;

    const res = await call('POST', `/v1/webhooks/${id}/recover`, {
      since: new Date(Date.now() + 3_600_000).toISOString(),
    });

    expect([res.status, (res.body.errors as Array<{ path: string }>)[0]?.path]).toEqual([400, 'body.since']);
  });

  it("another tenant's delivery is not found, even by its id", async () => {
    const call = callAs(await newTenant());
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;
    const deliveryId = (await call('POST', `/v1/webhooks/${id}/test`)).body.id as string;
    const other = callAs(await newTenant());

    const res = await Promise.all([
      other('GET', `/v1/webhooks/${id}/deliveries/${deliveryId}`),
      other('GET', `/v1/webhooks/${id}/deliveries/${deliveryId}/attempts`),
      other('POST', `/v1/webhooks/${id}/deliveries/${deliveryId}/retry`),
    ]);

    expect(res.map((r) => r.status)).toEqual([404, 404, 404]);
  });
});
