// The webhooks context's events: endpoints and event destinations changing. No event ever carries a
// signing secret, and delivery progress is not an event (it would feed back into deliveries).
import * as z from 'zod';
import type { EventDefinition } from './definition.ts';

const endpointSnapshot = z.strictObject({
  id: z.string(),
  url: z.string(),
  description: z.string().optional(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  rateLimitPerSecond: z.number().int().optional(),
});

const destinationSnapshot = z.strictObject({ destinationId: z.string(), eventBusArn: z.string() });

export const webhookEvents = {
  'endpoint.created': {
    version: 1,
    description: 'A webhook endpoint was created.',
    schema: z.strictObject({ endpoint: endpointSnapshot }),
  },
  'endpoint.updated': {
    version: 1,
    description: "A webhook endpoint's URL, description, event types, enabled flag or rate limit changed.",
    schema: z.strictObject({
      endpoint: endpointSnapshot,
      changes: z.record(z.string(), z.strictObject({ from: z.unknown(), to: z.unknown() })),
    }),
  },
  'endpoint.deleted': {
    version: 1,
    description: 'A webhook endpoint was deleted; nothing more is delivered to it.',
    schema: z.strictObject({ endpointId: z.string(), url: z.string() }),
  },
  'endpoint.secret_rotated': {
    version: 1,
    description:
      "A webhook endpoint's signing secret was rotated; deliveries carry both signatures until the previous one expires.",
    schema: z.strictObject({ endpointId: z.string(), previousSecretExpiresAt: z.iso.datetime() }),
  },
  'endpoint.disabled': {
    version: 1,
    description:
      'A webhook endpoint was disabled because every delivery to it failed for too long; re-enable it with PATCH.',
    schema: z.strictObject({
      endpointId: z.string(),
      url: z.string(),
      reason: z.enum(['failing', 'manual']),
      failingSince: z.iso.datetime().optional(),
    }),
  },
  'event_destination.created': {
    version: 1,
    description: "The tenant's events are now forwarded to an event bus in its own AWS account.",
    schema: destinationSnapshot,
  },
  'event_destination.deleted': {
    version: 1,
    description: "The tenant's events are no longer forwarded to an event bus in its own AWS account.",
    schema: destinationSnapshot,
  },
} as const satisfies Record<string, EventDefinition>;
