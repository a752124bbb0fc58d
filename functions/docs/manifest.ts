// The API's own description: the OpenAPI 3.1 document generated from every context's declarations.
import * as z from 'zod';
import { defineContext, defineRoute } from '../../libs/manifest/types.ts';

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
};

export const manifest = defineContext({
  name: 'docs',
  description: 'Serves the OpenAPI document',
  entry: 'functions/docs/handler.ts',
  apiHandler: 'api',
  routes: Object.values(routes),
  access: {},
  memorySize: 256,
});
