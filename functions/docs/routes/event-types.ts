// The event catalog as integrations read it: each type's version, description and data schema.
import * as z from 'zod';
import { eventCatalog } from '../../../events/catalog.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { routes } from '../manifest.ts';

export function eventTypeList() {
  return {
    items: Object.entries(eventCatalog).map(([type, entry]) => ({
      type,
      version: entry.version,
      description: entry.description,
      schema: z.toJSONSchema(entry.schema),
    })),
  };
}

export function eventTypeRoutes(): BoundRoute[] {
  const list = eventTypeList();
  return [
    implement(routes.listEventTypes, () =>
      Promise.resolve({ status: 200, body: list, headers: { 'cache-control': 'public, max-age=300' } }),
    ),
  ];
}
