// API shapes of deliveries and their attempts, and the presenters that turn stored items into them.
import * as z from 'zod';
import type { PlinthEvent } from '../../events/envelope.ts';
import type { AttemptItem, DeliveryItem } from './delivery-entities.ts';

export const deliveryStatus = z.enum(['pending', 'succeeded', 'failed']);

/** A delivery's id is its event's id (a ULID). */
export const deliveryId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a delivery id (a ULID)');

export const delivery = z
  .strictObject({
    id: deliveryId,
    endpointId: z.string(),
    /** The `webhook-id` header of every attempt of this delivery, for deduplication by the receiver. */
    webhookId: z.string(),
    eventType: z.string(),
    status: deliveryStatus,
    attempts: z.number().int().min(0),
    /** When the next attempt is due; only while pending. */
    nextAttemptAt: z.iso.datetime().optional(),
    lastStatusCode: z.number().int().optional(),
    lastError: z.string().optional(),
    /** The JSON body every attempt sends. */
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'WebhookDelivery', description: 'One event on its way to one webhook endpoint.' });

export const deliveryAttempt = z
  .strictObject({
    attempt: z.number().int().min(1),
    at: z.iso.datetime(),
    /** The receiver's HTTP status; absent when no answer came (network error, timeout, refused URL). */
    statusCode: z.number().int().optional(),
    error: z.string().optional(),
    durationMs: z.number().int().min(0),
    /** The first 4 KB of the receiver's answer. */
    responseBody: z.string(),
  })
  .meta({ id: 'WebhookDeliveryAttempt', description: 'One POST of a delivery to its endpoint.' });

export const deliveriesQuery = z.strictObject({
  status: deliveryStatus.optional(),
  eventType: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

/** What a delivery carries of an event; test events are not in the catalog, hence the plain type. */
export type WebhookEvent = Omit<PlinthEvent, 'type' | 'data'> & { type: string; data: unknown };

/** The event type of the deliveries `POST /v1/webhooks/{id}/test` sends. */
export const testEventType = 'webhook.test';

/**
 * The body of every attempt, in the Standard Webhooks shape `{type, timestamp, data}`: `data` holds the
 * event's data with its id, tenantId, version and actor beside it. Those envelope fields come first
 * and win over a data field of the same name, so a receiver can always rely on them.
 */
export function webhookPayload(event: WebhookEvent): string {
  const envelope = { id: event.id, tenantId: event.tenantId, version: event.version, actor: event.actor };
  const data = typeof event.data === 'object' && event.data !== null ? event.data : { value: event.data };
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt,
    data: Object.assign({ ...envelope }, data, envelope),
  });
}

export type DeliveryResource = z.infer<typeof delivery>;
export type AttemptResource = z.infer<typeof deliveryAttempt>;

/** The `webhook-id` header of a delivery: the same on every attempt. */
export function webhookIdOf(deliveryId: string): string {
  return `msg_${deliveryId}`;
}

export function deliveryResource(item: DeliveryItem): DeliveryResource {
  return {
    id: item.deliveryId,
    endpointId: item.endpointId,
    webhookId: webhookIdOf(item.deliveryId),
    eventType: item.eventType,
    status: item.status,
    attempts: item.attempts,
    ...(item.status === 'pending' ? { nextAttemptAt: item.nextAttemptAt } : {}),
    ...(item.lastStatusCode !== undefined ? { lastStatusCode: item.lastStatusCode } : {}),
    ...(item.lastError !== undefined ? { lastError: item.lastError } : {}),
    payload: JSON.parse(item.payload) as Record<string, unknown>,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    ...(item.completedAt !== undefined ? { completedAt: item.completedAt } : {}),
  };
}

export function attemptResource(item: AttemptItem): AttemptResource {
  return {
    attempt: item.attempt,
    at: item.at,
    ...(item.statusCode !== undefined ? { statusCode: item.statusCode } : {}),
    ...(item.error !== undefined ? { error: item.error } : {}),
    durationMs: item.durationMs,
    responseBody: item.responseBody,
  };
}
