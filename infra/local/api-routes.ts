// Finds the resource a request path belongs to, as API Gateway's resource tree does: every route
// template of every context, literal segments preferred over `{param}` ones position by position.
// HEAD reaches a path's GET route, as the CDK stack declares a HEAD method beside every GET (API
// Gateway itself maps no method onto another). Any other method the path does not declare is the
// stack's `ANY` method, which API Gateway answers itself (405, or 204 to OPTIONS).
import { createPathTemplates } from '../../libs/http/path-template.ts';
import type { ContextManifest, HttpMethod, RouteDeclaration } from '../../libs/manifest/types.ts';

interface Resource {
  context: ContextManifest;
  routes: Map<HttpMethod, RouteDeclaration>;
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
      /** The methods the path's routes declare. */
      declared: HttpMethod[];
    }
  | { kind: 'not_found' };

export interface ApiRouter {
  match(method: string, path: string): ApiRouteMatch;
}

export function createApiRouter(contexts: readonly ContextManifest[]): ApiRouter {
  const resources = new Map<string, Resource>();
  for (const context of contexts) {
    for (const route of context.routes) {
      const resource = resources.get(route.path) ?? {
        context,
        routes: new Map<HttpMethod, RouteDeclaration>(),
      };
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
      const { routes } = found.value;
      const upper = method.toUpperCase();
      const route = routes.get(upper as HttpMethod) ?? (upper === 'HEAD' ? routes.get('GET') : undefined);
      const match = { context: found.value.context, resource: found.template, pathParameters: found.params };
      return route
        ? { kind: 'route', route, ...match }
        : { kind: 'other_method', ...match, declared: [...routes.keys()] };
    },
  };
}
