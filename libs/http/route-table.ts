// Finds the declared route for a request: by API Gateway's resource template when it names one of
// ours, else by matching the path against every template, so any proxy in front works the same.
import type { HttpMethod } from '../manifest/types.ts';
import { createPathTemplates } from './path-template.ts';
import type { BoundRoute } from './route.ts';

export type RouteMatch =
  | { kind: 'route'; route: BoundRoute; params: Record<string, string> }
  /** The path exists but not with this method; `allow` lists the methods it has. */
  | { kind: 'method_not_allowed'; allow: HttpMethod[] }
  | { kind: 'not_found' };

/** The `Allow` header of a path with these declared methods: HEAD is served beside GET, and OPTIONS always. */
export function allowedMethods(declared: readonly string[]): string {
  const all = new Set(declared);
  if (all.has('GET')) all.add('HEAD');
  all.add('OPTIONS');
  return [...all].join(', ');
}

export interface RouteTable {
  match(request: RoutableRequest): RouteMatch;
}

export interface RoutableRequest {
  method: string;
  path: string;
  /** API Gateway's resource template; a proxy resource such as `/{proxy+}` falls back to the path. */
  resource?: string | null;
  /** API Gateway's parameters for `resource`; only read when the resource is one of ours. */
  pathParameters?: Record<string, string | undefined> | null;
}

export function createRouteTable(routes: readonly BoundRoute[]): RouteTable {
  const byPath = new Map<string, Map<HttpMethod, BoundRoute>>();
  for (const route of routes) {
    const { method, path, operationId } = route.declaration;
    const byMethod = byPath.get(path) ?? new Map<HttpMethod, BoundRoute>();
    byPath.set(path, byMethod);
    const taken = byMethod.get(method);
    if (taken) {
      throw new Error(
        `routes ${taken.declaration.operationId} and ${operationId} both declare ${method} ${path}`,
      );
    }
    byMethod.set(method, route);
  }
  const templates = createPathTemplates(byPath);

  function find(request: RoutableRequest) {
    const byResource = request.resource ? templates.get(request.resource) : undefined;
    if (byResource) return { byMethod: byResource, params: undefined };
    const found = templates.find(request.path);
    return found ? { byMethod: found.value, params: found.params } : undefined;
  }

  return {
    match(request) {
      const found = find(request);
      if (!found) return { kind: 'not_found' };
      const route = found.byMethod.get(request.method.toUpperCase() as HttpMethod);
      if (!route) return { kind: 'method_not_allowed', allow: [...found.byMethod.keys()] };
      const params =
        found.params ??
        Object.fromEntries(
          Object.entries(request.pathParameters ?? {}).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        );
      return { kind: 'route', route, params };
    },
  };
}
