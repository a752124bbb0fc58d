// Lambda entry of the webhooks API: the tenant routes over endpoints, deliveries and event
// destinations, built once per container. The delivery engine's consumers are a bundle of their own
// (consumers.ts), so nothing they load or start is part of the API's cold start.
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbClient, createEventBridgeClient, createSqsClient } from '../../libs/aws/clients.ts';
import { createKeyRings } from '../../libs/config/key-ring.ts';
import { createKeySetBox } from '../../libs/crypto/secret-box.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import { loadWebhooksConfig } from './config.ts';
import type { WebhooksDeps } from './context.ts';
import { createDeliveryEntities } from './delivery-entities.ts';
import { createDeliveryStore } from './delivery-store.ts';
import { createDestinationRules } from './destinations.ts';
import { createWebhookEntities } from './entities.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { destinationRoutes } from './routes/destinations.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { createWebhookStore } from './store.ts';

const config = loadWebhooksConfig();
const { runtime } = config;
const dynamodb = createDynamoDbClient(runtime.region);
const tables = { client: dynamodb, tableName: runtime.tableName };
const shared = createEntities({ ...tables, directoryTableName: runtime.directoryTableName });
const logger = new Logger({ serviceName: 'webhooks' });
const keys = createKeyRings(['cursor', 'idempotency', 'webhookSecret'], { region: runtime.region, logger });
const deps: WebhooksDeps = {
  config,
  store: createWebhookStore({ event: shared.event, job: shared.job, ...createWebhookEntities(tables) }),
  deliveries: createDeliveryStore({
    entities: { ...createDeliveryEntities(tables), tenant: shared.tenant },
    sqs: createSqsClient(runtime.region),
    deliveriesQueueUrl: config.deliveriesQueueUrl,
    deployment: runtime.deployment,
  }),
  secretBox: createKeySetBox(keys.webhookSecret.keys),
  rules: createDestinationRules(createEventBridgeClient(runtime.region), {
    busName: runtime.eventBusName,
    deadLetterArn: config.eventDestinationDeadLetterArn,
  }),
  cursors: createCursorCodec(keys.cursor.keys),
  clock: () => new Date(),
};

export const api = createApiHandler({
  serviceName: 'webhooks',
  logger,
  routes: [...endpointRoutes(deps), ...deliveryRoutes(deps), ...destinationRoutes(deps)],
  keys: Object.values(keys),
  idempotency: { client: dynamodb, tableName: runtime.tableName, responseKeys: keys.idempotency.keys },
});
