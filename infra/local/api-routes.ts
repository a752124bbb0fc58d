// Finds the resource a request path belongs to, as API Gateway's resource tree does: every route
// template of every context, literal segments preferred over `{param}` ones position by position.
// A path whose template exists but not with this method still belongs to that context (the CDK
// stack adds an ANY method there), so its function can answer 405.
import { createPathTemplates } from '../../libs/http/path-template.ts';
import type { ContextManifest, RouteDeclaration } from '../../libs/manifest/types.ts';

interface Resource {
  context: ContextManifest;
  routes: Map<string, RouteDeclaration>;
}

export type ApiRouteMatch =
  | {
      kind: 'route';
      context: ContextManifest;
      route: RouteDeclaration;
      /** The template, e.g. `/v1/platform/tenants/{tenantId}`: API Gateway's `resource`. */
      resource: string;
      pathParameters: Record<string, string>;
    }
  | {
      kind: 'other_method';
      context: ContextManifest;
      resource: string;
      pathParameters: Record<string, string>;
    }
  | { kind: 'not_found' };

export interface ApiRouter {
  match(method: string, path: string): ApiRouteMatch;
}

export function createApiRouter(contexts: readonly ContextManifest[]): ApiRouter {
  const resources = new Map<string, Resource>();
  for (const context of contexts) {
    for (const route of context.routes) {
      const resource = resources.get(route.path) ?? { context, routes: new Map<string, RouteDeclaration>() };
      resources.set(route.path, resource);
      if (resource.context !== context) {
        throw new Error(
          `path ${route.path} has routes of contexts ${resource.context.name} and ${context.name}`,
        );
      }
      resource.routes.set(route.method, route);
    }
  }
  const templates = createPathTemplates(resources);

  return {
    match(method, path) {
      const found = templates.find(path);
      if (!found) return { kind: 'not_found' };
      const route = found.value.routes.get(method.toUpperCase());
      const match = { context: found.value.context, resource: found.template, pathParameters: found.params };
      return route ? { kind: 'route', route, ...match } : { kind: 'other_method', ...match };
    },
  };
}
