// The webhooks API's items on the main table: a tenant's endpoints, its event destinations and the
// counters that hold their limits. All keys start with the tenant.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';

const service = 'plinth';

function webhookEndpointEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'webhookEndpoint', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** `ep_<ulid>`. */
        endpointId: { type: 'string', required: true, readOnly: true },
        url: { type: 'string', required: true },
        description: { type: 'string' },
        /** Catalog event types delivered here; `['*']` is every type. */
        eventTypes: { type: 'list', items: { type: 'string' }, required: true },
        enabled: { type: 'boolean', required: true },
        disabledReason: { type: ['manual', 'failing'] as const },
        rateLimitPerSecond: { type: 'number' },
        /**
         * Sealed signing secrets, current first. A rotated-out one carries `expiresAt` (rotation + 24 h)
         * and still signs deliveries until then; expired ones are ignored and dropped on the next write.
         */
        secrets: {
          type: 'list',
          required: true,
          items: {
            type: 'map',
            properties: {
              sealed: { type: 'string', required: true },
              createdAt: { type: 'string', required: true },
              expiresAt: { type: 'string' },
            },
          },
        },
        /** Set by the delivery worker at the first failed attempt after a success; removed on success. */
        failingSince: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['endpointId'], template: 'WH#${endpointId}' },
        },
      },
    },
    { table, client },
  );
}

/** A bus rule forwarding the tenant's events to an event bus in the tenant's own AWS account. */
function eventDestinationEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'eventDestination', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** `dst_<ulid>`. */
        destinationId: { type: 'string', required: true, readOnly: true },
        eventBusArn: { type: 'string', required: true, readOnly: true },
        ruleName: { type: 'string', required: true, readOnly: true },
        /** `creating` until the bus rule exists, `deleting` once its removal has begun. */
        status: { type: ['creating', 'active', 'deleting'] as const, required: true },
        createdAt: { type: 'string', required: true, readOnly: true },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: {
            field: 'sk',
            casing: 'none',
            composite: ['destinationId'],
            template: 'WHDST#${destinationId}',
          },
        },
      },
    },
    { table, client },
  );
}

/**
 * How many endpoints and destinations a tenant holds, kept in step in the transactions that add and
 * remove them so a limit holds under concurrent requests. `destinationsVersion` serialises
 * destination changes, which also keeps one destination per bus.
 */
function webhookQuotaEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'webhookQuota', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        endpoints: { type: 'number', required: true, default: 0 },
        destinations: { type: 'number', required: true, default: 0 },
        destinationsVersion: { type: 'number', required: true, default: 0 },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'WHQUOTA' },
        },
      },
    },
    { table, client },
  );
}

export function createWebhookEntities({ client, tableName }: { client: DynamoDBClient; tableName: string }) {
  return {
    webhookEndpoint: webhookEndpointEntity(tableName, client),
    eventDestination: eventDestinationEntity(tableName, client),
    webhookQuota: webhookQuotaEntity(tableName, client),
  };
}

export type WebhookEntities = ReturnType<typeof createWebhookEntities>;
export type EndpointItem = EntityItem<WebhookEntities['webhookEndpoint']>;
export type EndpointSecret = EndpointItem['secrets'][number];
export type DestinationItem = EntityItem<WebhookEntities['eventDestination']>;
