// The API's own description: the OpenAPI 3.1 document generated from every context's declarations,
// and the event catalog with the JSON Schema of every event's data.
import * as z from 'zod';
import { defineContext, defineRoute } from '../../libs/manifest/types.ts';

const eventType = z
  .strictObject({
    type: z.string().describe('The event name, also its EventBridge detail-type, e.g. tenant.suspended'),
    version: z.number().int(),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).describe('JSON Schema (draft 2020-12) of the event data'),
  })
  .meta({ id: 'EventType' });

export const routes = {
  getOpenApiDocument: defineRoute({
    operationId: 'getOpenApiDocument',
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'The OpenAPI 3.1 document of this API',
    tags: ['Meta'],
    audience: 'public',
    permission: 'public',
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
  }),
  listEventTypes: defineRoute({
    operationId: 'listEventTypes',
    method: 'GET',
    path: '/v1/event-types',
    summary: 'Every event type Plinth emits, with the JSON Schema of its data',
    tags: ['Meta'],
    audience: 'public',
    permission: 'public',
    responses: {
      200: {
        description: 'The event catalog',
        schema: z.strictObject({ items: z.array(eventType) }).meta({ id: 'EventTypeList' }),
      },
    },
  }),
};

export const manifest = defineContext({
  name: 'docs',
  description: 'Serves the OpenAPI document and the event catalog',
  entry: 'functions/docs/handler.ts',
  apiHandler: 'api',
  routes: Object.values(routes),
  access: {},
  memorySize: 256,
});
