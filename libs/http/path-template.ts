// API Gateway style path templates (`/v1/tenants/{tenantId}`) and how a path finds its template:
// literal segments outrank `{param}` ones position by position, as API Gateway's resource tree does.
// The functions' router and the local API Gateway both match paths with this.
type Segment = { literal: string } | { param: string };

interface Compiled<T> {
  template: string;
  segments: Segment[];
  value: T;
}

export interface TemplateMatch<T> {
  template: string;
  value: T;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
}

export interface PathTemplates<T> {
  /** The value of a template given by its exact text (API Gateway's `resource`). */
  get(template: string): T | undefined;
  /** The most specific template that matches `path`; a malformed %-escape matches nothing. */
  find(path: string): TemplateMatch<T> | undefined;
}

function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function compile(template: string): Segment[] {
  return splitPath(template).map((part) => {
    const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
    return param ? { param: param[1]! } : { literal: part };
  });
}

function specificity(segments: Segment[]): string {
  return segments.map((s) => ('literal' in s ? '0' : '1')).join('');
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
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

export function createPathTemplates<T>(entries: ReadonlyMap<string, T>): PathTemplates<T> {
  const ordered: Compiled<T>[] = [...entries]
    .map(([template, value]) => ({ template, segments: compile(template), value }))
    .sort((a, b) => specificity(a.segments).localeCompare(specificity(b.segments)));
  return {
    get: (template) => entries.get(template),
    find(path) {
      const parts = splitPath(path);
      for (const entry of ordered) {
        const params = matchSegments(entry.segments, parts);
        if (params) return { template: entry.template, value: entry.value, params };
      }
      return undefined;
    },
  };
}
