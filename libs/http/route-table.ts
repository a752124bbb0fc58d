// Finds the declared route for a request: by API Gateway's resource template when it names one of
// ours, else by matching the path against every template, so any proxy in front works the same.
import type { HttpMethod } from '../manifest/types.ts';
import type { BoundRoute } from './route.ts';

export type RouteMatch =
  | { kind: 'route'; route: BoundRoute; params: Record<string, string> }
  /** The path exists but not with this method; `allow` lists the methods it has. */
  | { kind: 'method_not_allowed'; allow: HttpMethod[] }
  | { kind: 'not_found' };

type Segment = { literal: string } | { param: string };

interface Template {
  path: string;
  segments: Segment[];
  byMethod: Map<HttpMethod, BoundRoute>;
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

function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function compile(path: string): Segment[] {
  return splitPath(path).map((part) => {
    const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
    return param ? { param: param[1]! } : { literal: part };
  });
}

/** Literal segments outrank parameters position by position, as API Gateway's resource tree does. */
function specificity(template: Template): string {
  return template.segments.map((s) => ('literal' in s ? '0' : '1')).join('');
}

function matchSegments(template: Template, parts: string[]): Record<string, string> | undefined {
  if (template.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of template.segments.entries()) {
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
      continue;
    }
    if (part.length === 0) return undefined;
    try {
      params[segment.param] = decodeURIComponent(part);
    } catch {
      return undefined;
    }
  }
  return params;
}

export function createRouteTable(routes: readonly BoundRoute[]): RouteTable {
  const templates = new Map<string, Template>();
  for (const route of routes) {
    const { method, path, operationId } = route.declaration;
    let template = templates.get(path);
    if (!template) {
      template = { path, segments: compile(path), byMethod: new Map() };
      templates.set(path, template);
    }
    const taken = template.byMethod.get(method);
    if (taken) {
      throw new Error(
        `routes ${taken.declaration.operationId} and ${operationId} both declare ${method} ${path}`,
      );
    }
    template.byMethod.set(method, route);
  }
  const ordered = [...templates.values()].sort((a, b) => specificity(a).localeCompare(specificity(b)));

  function find(request: RoutableRequest) {
    const byResource = request.resource ? templates.get(request.resource) : undefined;
    if (byResource) return { template: byResource, params: undefined };
    const parts = splitPath(request.path);
    for (const template of ordered) {
      const params = matchSegments(template, parts);
      if (params) return { template, params };
    }
    return undefined;
  }

  return {
    match(request) {
      const found = find(request);
      if (!found) return { kind: 'not_found' };
      const route = found.template.byMethod.get(request.method.toUpperCase() as HttpMethod);
      if (!route) return { kind: 'method_not_allowed', allow: [...found.template.byMethod.keys()] };
      const params =
        found.params ??
        Object.fromEntries(
          Object.entries(request.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
        );
      return { kind: 'route', route, params };
    },
  };
}
