// The delivery engine's items on the main table: one delivery per endpoint and event, one attempt per
// POST, and per-second counters for endpoints with a rate limit. All keys start with the tenant, but
// none shares the tenant's own partition (`T#<tenantId>`): deliveries and rate windows live in one
// partition per endpoint and attempts in one per delivery, so a busy tenant's webhook traffic spreads
// over as many partitions as it has endpoints and deliveries, within DynamoDB's per-partition limits.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';

const service = 'plinth';

/**
 * Pending deliveries of every tenant in the region are spread over this many index partitions, so no
 * single one runs hot (each holds 1,000 writes of 1 KB a second). Raising it is safe: a delivery
 * moves to its new partition at its next write, and the sweeper reads every partition below it.
 */
export const sweepShardCount = 32;

/** The sweep partition of a delivery, fixed by its id so every write can recompute it. */
export function sweepShardOf(deliveryId: string): string {
  let sum = 0;
  for (const char of deliveryId) sum += char.charCodeAt(0);
  return String(sum % sweepShardCount);
}

function webhookDeliveryEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'webhookDelivery', version: '2', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        endpointId: { type: 'string', required: true, readOnly: true },
        /** The event's id (a ULID); the `webhook-id` header is `msg_<deliveryId>` on every attempt. */
        deliveryId: { type: 'string', required: true, readOnly: true },
        eventType: { type: 'string', required: true, readOnly: true },
        /** The exact JSON body every attempt sends. */
        payload: { type: 'string', required: true, readOnly: true },
        status: { type: ['pending', 'succeeded', 'failed'] as const, required: true },
        /** Attempts made so far; attempt n is claimed by moving this from n-1 to n. */
        attempts: { type: 'number', required: true },
        /** When the next attempt is due, or when the last one was claimed or finished. */
        nextAttemptAt: { type: 'string', required: true },
        /** Which sweep partition holds this delivery while it is pending (see sweepShardOf). */
        sweepShard: { type: 'string', required: true },
        lastStatusCode: { type: 'number' },
        lastError: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
        completedAt: { type: 'string' },
        /** Epoch seconds; removed by TTL after the plan's retention. */
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byEndpoint: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId', 'endpointId'],
            template: 'T#${tenantId}#WHD#${endpointId}',
          },
          sk: { field: 'sk', casing: 'none', composite: ['deliveryId'], template: 'WHD#${deliveryId}' },
        },
        /** Only pending deliveries are in this index: the sweeper finds overdue ones here. */
        pendingByDue: {
          index: 'gsi1',
          condition: (attributes) => attributes.status === 'pending',
          pk: {
            field: 'gsi1pk',
            casing: 'none',
            composite: ['status', 'sweepShard'],
            template: 'WHDUE#${status}#${sweepShard}',
          },
          sk: { field: 'gsi1sk', casing: 'none', composite: ['nextAttemptAt'], template: '${nextAttemptAt}' },
        },
      },
    },
    { table, client },
  );
}

function webhookAttemptEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'webhookAttempt', version: '2', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        endpointId: { type: 'string', required: true, readOnly: true },
        deliveryId: { type: 'string', required: true, readOnly: true },
        /** 1-based; padded in the key so attempts sort in order. */
        attempt: { type: 'number', required: true, readOnly: true, padding: { length: 3, char: '0' } },
        at: { type: 'string', required: true, readOnly: true },
        statusCode: { type: 'number', readOnly: true },
        error: { type: 'string', readOnly: true },
        durationMs: { type: 'number', required: true, readOnly: true },
        /** The first 4 KB of the receiver's answer. */
        responseBody: { type: 'string', required: true, readOnly: true },
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byDelivery: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId', 'endpointId', 'deliveryId'],
            template: 'T#${tenantId}#WHA#${endpointId}#${deliveryId}',
          },
          sk: { field: 'sk', casing: 'none', composite: ['attempt'], template: 'WHA#${attempt}' },
        },
      },
    },
    { table, client },
  );
}

/** POSTs started to one endpoint in one second, for its rate limit; expires soon after. */
function webhookRateWindowEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'webhookRateWindow', version: '2', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        endpointId: { type: 'string', required: true, readOnly: true },
        /** Epoch second the window covers. */
        second: { type: 'number', required: true, readOnly: true },
        count: { type: 'number', required: true, default: 0 },
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        byEndpointSecond: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId', 'endpointId'],
            template: 'T#${tenantId}#WHRL#${endpointId}',
          },
          sk: { field: 'sk', casing: 'none', composite: ['second'], template: 'WHRL#${second}' },
        },
      },
    },
    { table, client },
  );
}

export function createDeliveryEntities({ client, tableName }: { client: DynamoDBClient; tableName: string }) {
  return {
    webhookDelivery: webhookDeliveryEntity(tableName, client),
    webhookAttempt: webhookAttemptEntity(tableName, client),
    webhookRateWindow: webhookRateWindowEntity(tableName, client),
  };
}

export type DeliveryEntities = ReturnType<typeof createDeliveryEntities>;
export type DeliveryItem = EntityItem<DeliveryEntities['webhookDelivery']>;
export type AttemptItem = EntityItem<DeliveryEntities['webhookAttempt']>;
export type DeliveryStatus = DeliveryItem['status'];

export type DeliveryKey = Pick<DeliveryItem, 'tenantId' | 'endpointId' | 'deliveryId'>;

export function deliveryKey(d: DeliveryKey): DeliveryKey {
  return { tenantId: d.tenantId, endpointId: d.endpointId, deliveryId: d.deliveryId };
}

/**
 * A delivery's status with the fields that place it in the sweep index. ElectroDB refuses a write
 * that changes one without the others, so every status change goes through this.
 */
export function dueFields(d: DeliveryKey, status: DeliveryStatus, nextAttemptAt: string) {
  return { status, nextAttemptAt, sweepShard: sweepShardOf(d.deliveryId) };
}
