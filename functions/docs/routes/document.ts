// The API's description of itself, generated once by the handler and served as is.
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { routes } from '../manifest.ts';

export function documentRoutes(document: object): BoundRoute[] {
  return [
    implement(routes.getOpenApiDocument, () =>
      // The document changes only with a deployment, so clients and CDNs may keep it a while.
      Promise.resolve({ status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } }),
    ),
  ];
}
