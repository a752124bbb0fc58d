// Fan-out: one event from the bus becomes one delivery per matching endpoint of its tenant. Each
// delivery is put only if it does not exist, so an event that arrives twice is delivered once.
import * as z from 'zod';
import { actorSchema } from '../../events/envelope.ts';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { DeliveryQueue } from './delays.ts';
import type { WebhookEvent } from './delivery-schemas.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { EndpointItem, WebhookStore } from './store.ts';
import { delayBeforeAttempt } from './retry-schedule.ts';

/** The EventBridge event the rule puts on the queue; `detail` is the Plinth event. */
const busEventSchema = z.object({
  detail: z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    version: z.number().int(),
    tenantId: z.string().min(1),
    actor: actorSchema,
    occurredAt: z.string().min(1),
    data: z.unknown(),
  }),
});

export function parseBusEvent(body: string): WebhookEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error('malformed bus event: not JSON');
  }
  const parsed = busEventSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`malformed bus event: ${z.prettifyError(parsed.error)}`);
  return parsed.data.detail;
}

/** Whether an endpoint takes events of `type`: enabled, and subscribed to all types or to this one. */
export function endpointWants(endpoint: Pick<EndpointItem, 'enabled' | 'eventTypes'>, type: string): boolean {
  return endpoint.enabled && (endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type));
}

export interface FanOutDeps {
  store: Pick<DeliveryStore, 'newDelivery' | 'createDelivery' | 'getDelivery'>;
  endpoints: Pick<WebhookStore, 'listAllEndpoints'>;
  queue: DeliveryQueue;
  webhooks: DeploymentConfig['webhooks'];
  clock?: () => Date;
  random?: () => number;
}

/** Creates and queues the event's deliveries; returns how many endpoints it went to. */
export async function fanOutEvent(event: WebhookEvent, deps: FanOutDeps): Promise<number> {
  const clock = deps.clock ?? (() => new Date());
  const endpoints = await deps.endpoints.listAllEndpoints(event.tenantId);
  const matching = endpoints.filter((endpoint) => endpointWants(endpoint, event.type));
  await Promise.all(
    matching.map(async (endpoint) => {
      const now = clock();
      const delay = delayBeforeAttempt(deps.webhooks.retryScheduleSeconds, 1, { random: deps.random }) ?? 0;
      const delivery = await deps.store.newDelivery(event, endpoint.endpointId, now, delay);
      const message = {
        tenantId: delivery.tenantId,
        endpointId: delivery.endpointId,
        deliveryId: delivery.deliveryId,
        attempt: 1,
      };
      if (await deps.store.createDelivery(delivery)) {
        await deps.queue.enqueue(message, delay, now);
        return;
      }
      // Seen before: queue the first attempt again in case the earlier run stopped before queuing it.
      // A message too many is harmless; only one can claim the attempt.
      const existing = await deps.store.getDelivery(
        delivery.tenantId,
        delivery.endpointId,
        delivery.deliveryId,
      );
      if (existing?.status === 'pending' && existing.attempts === 0)
        await deps.queue.enqueue(message, 0, now);
    }),
  );
  return matching.length;
}
