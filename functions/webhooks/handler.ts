// Lambda entries of the webhooks context: the tenant API over endpoints, deliveries and event
// destinations, built once per container; the delivery engine's consumers come from consumers.ts.
import { createDynamoDbClient, createEventBridgeClient, createSqsClient } from '../../libs/aws/clients.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { assembleOnFirstRequest, createApiHandler, type ApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec, resolveCursorSecret } from '../../libs/http/cursor.ts';
import { loadWebhooksConfig } from './config.ts';
import type { WebhooksDeps } from './context.ts';
import { createDeliveryEntities } from './delivery-entities.ts';
import { createDeliveryStore } from './delivery-store.ts';
import { createDestinationRules } from './destinations.ts';
import { createWebhookEntities } from './entities.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { destinationRoutes } from './routes/destinations.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { createSecretBox } from '../../libs/crypto/secret-box.ts';
import { resolveWebhookSecretKey } from './secret-key.ts';
import { createWebhookStore } from './store.ts';

const config = loadWebhooksConfig();
const { runtime } = config;
const dynamodb = createDynamoDbClient(runtime.region);
const tables = { client: dynamodb, tableName: runtime.tableName };
const shared = createEntities({ ...tables, directoryTableName: runtime.directoryTableName });
/** The routes' dependencies; the consumers that share this bundle never fetch the cursor secret. */
async function createWebhooksApi(): Promise<ApiHandler> {
  const cursorSecret = await resolveCursorSecret(runtime);
  const deps: WebhooksDeps = {
    config,
    store: createWebhookStore({ event: shared.event, job: shared.job, ...createWebhookEntities(tables) }),
    deliveries: createDeliveryStore({
      entities: { ...createDeliveryEntities(tables), tenant: shared.tenant },
      sqs: createSqsClient(runtime.region),
      deliveriesQueueUrl: config.deliveriesQueueUrl,
      deployment: runtime.deployment,
    }),
    secretBox: createSecretBox(
      await resolveWebhookSecretKey({
        key: config.secretKey,
        keyArn: config.secretKeyArn,
        region: runtime.region,
      }),
    ),
    rules: createDestinationRules(createEventBridgeClient(runtime.region), {
      busName: runtime.eventBusName,
      deadLetterArn: config.eventDestinationDeadLetterArn,
    }),
    cursors: createCursorCodec(cursorSecret),
    clock: () => new Date(),
  };
  return createApiHandler({
    serviceName: 'webhooks',
    routes: [...endpointRoutes(deps), ...deliveryRoutes(deps), ...destinationRoutes(deps)],
    idempotency: { client: dynamodb, tableName: runtime.tableName, responseKey: cursorSecret },
  });
}

export const api: ApiHandler = assembleOnFirstRequest(createWebhooksApi);

export { fanout, deliver, sweep } from './consumers.ts';
