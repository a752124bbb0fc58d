// The webhooks context: tenants' endpoints and event destinations on the tenant API, and the delivery
// engine behind them (fan-out from the bus, the delivery worker, and the sweeper of lost deliveries).
import { jobSchema } from '../../libs/jobs/job.ts';
import { defineContext, defineRoute } from '../../libs/manifest/types.ts';
import { delivery, deliveryAttempt, deliveriesQuery } from './delivery-schemas.ts';
import * as s from './schemas.ts';
import { keyEnvSchema } from '../../libs/config/keys.ts';
import { runtimeEnvSchema } from '../../libs/config/runtime.ts';
import { webhooksEnvSchema } from './config.ts';

const hooks = ['Webhooks'];
const destinations = ['Event destinations'];

export const routes = {
  createWebhookEndpoint: defineRoute({
    operationId: 'createWebhookEndpoint',
    method: 'POST',
    path: '/v1/webhooks',
    summary: 'Create a webhook endpoint; its signing secret is in the answer',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:write',
    request: { body: s.createEndpointBody },
    responses: { 201: { description: 'The endpoint with its signing secret', schema: s.createdEndpoint } },
  }),
  listWebhookEndpoints: defineRoute({
    operationId: 'listWebhookEndpoints',
    method: 'GET',
    path: '/v1/webhooks',
    summary: "List the caller's tenant's webhook endpoints, newest first",
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:read',
    request: { query: s.pageQuery },
    responses: {
      200: { description: 'A page of endpoints', schema: s.page(s.endpoint, 'WebhookEndpointPage') },
    },
  }),
  getWebhookEndpoint: defineRoute({
    operationId: 'getWebhookEndpoint',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}',
    summary: 'Get a webhook endpoint',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:read',
    request: { params: s.endpointPathParams },
    responses: { 200: { description: 'The endpoint', schema: s.endpoint } },
  }),
  updateWebhookEndpoint: defineRoute({
    operationId: 'updateWebhookEndpoint',
    method: 'PATCH',
    path: '/v1/webhooks/{webhookId}',
    summary: "Change a webhook endpoint's URL, description, event types, enabled flag or rate limit",
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:write',
    request: { params: s.endpointPathParams, body: s.updateEndpointBody },
    responses: { 200: { description: 'The endpoint', schema: s.endpoint } },
  }),
  deleteWebhookEndpoint: defineRoute({
    operationId: 'deleteWebhookEndpoint',
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
    summary: 'Delete a webhook endpoint; nothing more is delivered to it',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:write',
    request: { params: s.endpointPathParams },
    responses: { 204: { description: 'Deleted' } },
  }),
  getWebhookEndpointSecret: defineRoute({
    operationId: 'getWebhookEndpointSecret',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/secret',
    summary: "Reveal a webhook endpoint's signing secret, and the previous one while it is still valid",
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:secrets',
    request: { params: s.endpointPathParams },
    responses: { 200: { description: 'The signing secrets', schema: s.endpointSecret } },
  }),
  rotateWebhookEndpointSecret: defineRoute({
    operationId: 'rotateWebhookEndpointSecret',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for 24 hours',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:secrets',
    request: { params: s.endpointPathParams, body: s.emptyBody },
    responses: { 200: { description: 'The new secret', schema: s.rotatedSecret } },
  }),
  sendWebhookTestEvent: defineRoute({
    operationId: 'sendWebhookTestEvent',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/test',
    summary: 'Send a webhook.test event to the endpoint, whatever its event types',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:write',
    request: { params: s.endpointPathParams, body: s.emptyBody },
    responses: { 202: { description: 'The delivery, on its way', schema: delivery } },
  }),
  listWebhookDeliveries: defineRoute({
    operationId: 'listWebhookDeliveries',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries',
    summary: "List an endpoint's deliveries, newest first, by status and event type",
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:read',
    request: { params: s.endpointPathParams, query: deliveriesQuery },
    responses: {
      200: { description: 'A page of deliveries', schema: s.page(delivery, 'WebhookDeliveryPage') },
    },
  }),
  getWebhookDelivery: defineRoute({
    operationId: 'getWebhookDelivery',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}',
    summary: 'Get one delivery',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:read',
    request: { params: s.deliveryPathParams },
    responses: { 200: { description: 'The delivery', schema: delivery } },
  }),
  listWebhookDeliveryAttempts: defineRoute({
    operationId: 'listWebhookDeliveryAttempts',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/attempts',
    summary: "List a delivery's attempts, oldest first",
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:read',
    request: { params: s.deliveryPathParams, query: s.pageQuery },
    responses: {
      200: {
        description: 'A page of attempts',
        schema: s.page(deliveryAttempt, 'WebhookDeliveryAttemptPage'),
      },
    },
  }),
  retryWebhookDelivery: defineRoute({
    operationId: 'retryWebhookDelivery',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
    summary: 'Send a delivery again now, with the same webhook-id',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:write',
    request: { params: s.deliveryPathParams, body: s.emptyBody },
    responses: { 202: { description: 'The delivery, on its way again', schema: delivery } },
  }),
  recoverWebhookDeliveries: defineRoute({
    operationId: 'recoverWebhookDeliveries',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/recover',
    summary: 'Send every failed delivery since a time again, as a job',
    tags: hooks,
    audience: 'tenant',
    permission: 'webhooks:write',
    request: { params: s.endpointPathParams, body: s.recoverBody },
    responses: { 202: { description: 'The recovery job; follow its Location', schema: jobSchema } },
  }),
  listEventDestinations: defineRoute({
    operationId: 'listEventDestinations',
    method: 'GET',
    path: '/v1/event-destinations',
    summary: "List the event buses in the tenant's own AWS account that receive its events",
    tags: destinations,
    audience: 'tenant',
    permission: 'event-destinations:read',
    request: { query: s.pageQuery },
    responses: {
      200: {
        description: 'A page of destinations',
        schema: s.page(s.eventDestination, 'EventDestinationPage'),
      },
    },
  }),
  createEventDestination: defineRoute({
    operationId: 'createEventDestination',
    method: 'POST',
    path: '/v1/event-destinations',
    summary: "Forward the tenant's events to an event bus in its own AWS account",
    description:
      "Only events of the caller's tenant are forwarded. The bus must be in a region of the tenant's residency zone, and its resource policy must let Plinth's account put events.",
    tags: destinations,
    audience: 'tenant',
    permission: 'event-destinations:write',
    request: { body: s.createDestinationBody },
    responses: { 201: { description: 'The destination', schema: s.eventDestination } },
  }),
  deleteEventDestination: defineRoute({
    operationId: 'deleteEventDestination',
    method: 'DELETE',
    path: '/v1/event-destinations/{destinationId}',
    summary: 'Stop forwarding events to an event bus',
    tags: destinations,
    audience: 'tenant',
    permission: 'event-destinations:write',
    request: { params: s.destinationPathParams },
    responses: { 204: { description: 'Deleted' } },
  }),
};

export const manifest = defineContext({
  name: 'webhooks',
  description: "Webhook endpoints and their deliveries, and event destinations in tenants' own AWS accounts",
  entry: 'functions/webhooks/handler.ts',
  entries: {
    fanout: 'functions/webhooks/consumers.ts',
    deliver: 'functions/webhooks/consumers.ts',
    sweep: 'functions/webhooks/consumers.ts',
  },
  apiHandler: 'api',
  routes: Object.values(routes),
  queues: [
    {
      name: 'webhook-events',
      consumer: 'fanout',
      batchSize: 10,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 120,
    },
    {
      name: 'webhook-deliveries',
      consumer: 'deliver',
      batchSize: 10,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 120,
    },
  ],
  rules: [
    {
      name: 'events-to-webhooks',
      description:
        "Every Plinth event goes to the webhooks fan-out, which finds the tenant's matching endpoints",
      pattern: { source: ['plinth'] },
      target: { queue: 'webhook-events' },
    },
  ],
  schedules: [{ name: 'sweep', expression: 'rate(1 minute)', consumer: 'sweep' }],
  access: {
    table: 'readwrite',
    keys: ['cursor', 'idempotency', 'webhookSecret'],
    scheduler: true,
    eventDestinations: true,
    queues: [
      { name: 'webhook-events', access: 'consume' },
      { name: 'webhook-deliveries', access: 'send' },
      { name: 'webhook-deliveries', access: 'consume' },
    ],
  },
  // The consumers read only the key that opens signing secrets; the routes also sign and seal.
  environment: (exportName) =>
    runtimeEnvSchema
      .and(
        exportName === 'api'
          ? keyEnvSchema('cursor', 'idempotency', 'webhookSecret')
          : keyEnvSchema('webhookSecret'),
      )
      .and(webhooksEnvSchema),
  timeoutSeconds: 60,
});
