// Request and response schemas of the webhooks API (endpoints, secrets, recovery, event destinations);
// delivery shapes are in delivery-schemas.ts. The OpenAPI document is generated from both.
import * as z from 'zod';
import { deliveryId } from './delivery-schemas.ts';

export const endpointId = z
  .string()
  .regex(/^ep_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a webhook endpoint id (ep_…)');
export const destinationId = z
  .string()
  .regex(/^dst_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an event destination id (dst_…)');

/** Endpoints a tenant may hold at once. */
export const maxEndpointsPerTenant = 20;
/** Event destinations a tenant may hold at once. */
export const maxDestinationsPerTenant = 5;

const url = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .describe(
    'Where deliveries are POSTed: https, resolving only to public addresses (http too on one machine).',
  );
const description = z.string().trim().max(500, 'must be at most 500 characters');
const eventTypes = z
  .array(z.string().min(1).max(100))
  .min(1)
  .max(100)
  .describe('Event types to deliver: `["*"]` for all, or types from `GET /v1/event-types`.');
const rateLimitPerSecond = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .describe('At most this many deliveries a second to this endpoint; more wait their turn.');

export const endpoint = z
  .strictObject({
    id: endpointId,
    url: z.string(),
    description: z.string().optional(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z
      .enum(['manual', 'failing'])
      .optional()
      .describe('Why deliveries are stopped: turned off, or every delivery failed for too long.'),
    rateLimitPerSecond: z.number().int().optional(),
    failingSince: z.iso.datetime().optional().describe('Since when every delivery has failed.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });

const signingSecret = z.string().describe('A Standard Webhooks signing secret: `whsec_` and base64.');

export const createdEndpoint = endpoint
  .extend({ secret: signingSecret.describe('The signing secret; later only through GET …/secret.') })
  .meta({ id: 'CreatedWebhookEndpoint' });

export const createEndpointBody = z
  .strictObject({
    url,
    description: description.optional(),
    eventTypes: eventTypes.default(['*']),
    enabled: z.boolean().default(true),
    rateLimitPerSecond: rateLimitPerSecond.optional(),
  })
  .meta({ id: 'CreateWebhookEndpointRequest' });

export const updateEndpointBody = z
  .strictObject({
    url: url.optional(),
    description: description.nullable().optional().describe('null removes the description.'),
    eventTypes: eventTypes.optional(),
    enabled: z.boolean().optional(),
    rateLimitPerSecond: rateLimitPerSecond.nullable().optional().describe('null removes the limit.'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'at least one field is required' })
  .meta({ id: 'UpdateWebhookEndpointRequest' });

export const endpointSecret = z
  .strictObject({
    secret: signingSecret,
    previousSecret: signingSecret.optional().describe('The secret before the last rotation, still signing.'),
    previousSecretExpiresAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'WebhookEndpointSecret' });

export const rotatedSecret = z
  .strictObject({
    secret: signingSecret,
    previousSecretExpiresAt: z.iso
      .datetime()
      .describe('Until then deliveries carry signatures with both the new and the previous secret.'),
  })
  .meta({ id: 'RotatedWebhookSecret' });

export const recoverBody = z
  .strictObject({
    since: z.iso
      .datetime({ offset: true })
      .describe('Every failed delivery created since then is sent again.'),
  })
  .meta({ id: 'RecoverWebhookDeliveriesRequest' });

export const eventDestination = z
  .strictObject({
    id: destinationId,
    eventBusArn: z.string(),
    ruleName: z.string().describe('The rule on the Plinth bus that forwards the events.'),
    status: z.enum(['creating', 'active', 'deleting']),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'EventDestination' });

export const createDestinationBody = z
  .strictObject({
    eventBusArn: z
      .string()
      .max(1600)
      .describe("An event bus in the tenant's own AWS account, in its residency zone."),
  })
  .meta({ id: 'CreateEventDestinationRequest' });

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const endpointPathParams = z.strictObject({ webhookId: endpointId });
export const deliveryPathParams = z.strictObject({ webhookId: endpointId, deliveryId });
export const destinationPathParams = z.strictObject({ destinationId });

export const emptyBody = z.strictObject({}).optional();

export function page<T extends z.ZodType>(item: T, id: string) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
}
