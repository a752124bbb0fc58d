import { describe, expect, it } from 'vitest';
import { contexts } from '../../../functions/manifests.ts';
import { defineContext, type HttpMethod, type RouteDeclaration } from '../../../libs/manifest/types.ts';
import { createApiRouter } from '../../../infra/local/api-routes.ts';

function route(method: HttpMethod, path: string): RouteDeclaration {
  return {
    operationId: `${method} ${path}`,
    method,
    path,
    summary: path,
    tags: ['test'],
    audience: 'platform',
    permission: 'test:read',
    responses: { 200: { description: 'ok' } },
  };
}

const widgets = defineContext({
  name: 'widgets',
  description: 'test',
  entry: 'test/widgets.ts',
  apiHandler: 'api',
  routes: [
    route('GET', '/v1/widgets'),
    route('POST', '/v1/widgets'),
    route('GET', '/v1/widgets/{widgetId}'),
    route('GET', '/v1/widgets/featured'),
    route('POST', '/v1/widgets/{widgetId}/archive'),
  ],
  access: {},
});
const gadgets = defineContext({
  name: 'gadgets',
  description: 'test',
  entry: 'test/gadgets.ts',
  apiHandler: 'api',
  routes: [route('GET', '/v1/{owner}/gadgets')],
  access: {},
});

const router = createApiRouter([widgets, gadgets]);

describe('local API route matching', () => {
  it('matches a template and reads its path parameters, decoded', () => {
    const match = router.match('GET', '/v1/widgets/wid%20one');
    expect(match).toMatchObject({
      kind: 'route',
      resource: '/v1/widgets/{widgetId}',
      pathParameters: { widgetId: 'wid one' },
    });
  });

  it('prefers a literal segment over a parameter, as API Gateway does', () => {
    expect(router.match('GET', '/v1/widgets/featured')).toMatchObject({
      resource: '/v1/widgets/featured',
      pathParameters: {},
    });
  });

  it('chooses the method declared on the matched template', () => {
    const match = router.match('post', '/v1/widgets');
    expect(match.kind === 'route' && match.route.method).toBe('POST');
  });

  it('finds templates of every context', () => {
    expect(router.match('GET', '/v1/acme/gadgets')).toMatchObject({
      kind: 'route',
      context: { name: 'gadgets' },
      pathParameters: { owner: 'acme' },
    });
  });

  it('ignores one trailing slash', () => {
    expect(router.match('GET', '/v1/widgets/')).toMatchObject({ kind: 'route', resource: '/v1/widgets' });
  });

  it('answers not_found for a path no template has, or with an empty parameter', () => {
    expect(router.match('GET', '/v1/nothing')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/v1/widgets/a/b/c')).toEqual({ kind: 'not_found' });
    expect(router.match('POST', '/v1/widgets//archive')).toEqual({ kind: 'not_found' });
  });

  it('answers another method on a known path with the methods the path declares', () => {
    expect(router.match('DELETE', '/v1/widgets/w1/archive')).toEqual({
      kind: 'other_method',
      context: widgets,
      resource: '/v1/widgets/{widgetId}/archive',
      pathParameters: { widgetId: 'w1' },
      declared: ['POST'],
    });
  });

  it('matches HEAD to the GET route of a path, as the stack declares HEAD beside every GET', () => {
    expect(router.match('HEAD', '/v1/widgets')).toMatchObject({ kind: 'route', route: { method: 'GET' } });
    expect(router.match('HEAD', '/v1/widgets/w1/archive')).toMatchObject({ kind: 'other_method' });
  });

  it('reaches every route Plinth declares by its own path', () => {
    const plinth = createApiRouter(contexts);
    for (const context of contexts) {
      for (const declared of context.routes) {
        const path = declared.path.replace(/\{(\w+)\}/g, 'x_$1');
        expect(plinth.match(declared.method, path)).toMatchObject({
          kind: 'route',
          route: declared,
          context,
        });
      }
    }
  });
});
