// Lambda entry of the docs context: the OpenAPI document and the event catalog, built once per cold start.
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { buildOpenApiDocument } from '../../libs/http/openapi.ts';
import { contexts } from '../manifests.ts';
import { documentRoutes } from './routes/document.ts';
import { eventTypeRoutes } from './routes/event-types.ts';
import packageJson from '../../package.json' with { type: 'json' };

const document = buildOpenApiDocument(contexts, {
  title: 'Plinth API',
  version: packageJson.version,
  description: packageJson.description,
});

export const api = createApiHandler({
  serviceName: 'docs',
  routes: [...documentRoutes(document), ...eventTypeRoutes()],
});
