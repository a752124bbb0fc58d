// Finds the resource a request path belongs to, as API Gateway's resource tree does: every route
// template of every context, literal segments preferred over `{param}` ones position by position.
// A path whose template exists but not with this method still belongs to that context (the CDK
// stack adds an ANY method there), so its function can answer 405.
import type { ContextManifest, RouteDeclaration } from '../../libs/manifest/types.ts';

type Segment = { literal: string } | { param: string };

interface Resource {
  template: string;
  segments: Segment[];
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

function segmentsOf(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function compile(template: string): Segment[] {
  return segmentsOf(template).map((part) => {
    const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
    return param ? { param: param[1]! } : { literal: part };
  });
}

/** Sorts literal-first at the first position where two templates differ. */
function specificity(resource: Resource): string {
  return resource.segments.map((s) => ('literal' in s ? '0' : '1')).join('');
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function matchResource(resource: Resource, parts: string[]): Record<string, string> | undefined {
  if (resource.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of resource.segments.entries()) {
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.param] = decode(part);
    }
  }
  return params;
}

export function createApiRouter(contexts: readonly ContextManifest[]): ApiRouter {
  const resources = new Map<string, Resource>();
  for (const context of contexts) {
    for (const route of context.routes) {
      let resource = resources.get(route.path);
      if (!resource) {
        resource = { template: route.path, segments: compile(route.path), context, routes: new Map() };
        resources.set(route.path, resource);
      }
      if (resource.context !== context) {
        throw new Error(
          `path ${route.path} has routes of contexts ${resource.context.name} and ${context.name}`,
        );
      }
      resource.routes.set(route.method, route);
    }
  }
  const ordered = [...resources.values()].sort((a, b) => specificity(a).localeCompare(specificity(b)));

  return {
    match(method, path) {
      const parts = segmentsOf(path);
      for (const resource of ordered) {
        const pathParameters = matchResource(resource, parts);
        if (!pathParameters) continue;
        const route = resource.routes.get(method.toUpperCase());
        const found = { context: resource.context, resource: resource.template, pathParameters };
        return route ? { kind: 'route', route, ...found } : { kind: 'other_method', ...found };
      }
      return { kind: 'not_found' };
    },
  };
}
