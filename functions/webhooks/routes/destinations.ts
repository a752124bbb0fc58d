// Event destination routes: the event buses in the tenant's own AWS account that receive its events.
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { WebhooksDeps } from '../context.ts';
import { createDestination, deleteDestination, destinationResource } from '../destinations.ts';
import { routes } from '../manifest.ts';

export function destinationRoutes(deps: WebhooksDeps): BoundRoute[] {
  const { store, cursors } = deps;
  return [
    implement(routes.listEventDestinations, async ({ query, caller }) => {
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:event-destinations`;
      const page = await store.listDestinations(tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, destinationResource) };
    }),

    implement(routes.createEventDestination, async ({ body, caller }) => {
      const destination = await createDestination(
        deps,
        tenantIdOf(caller),
        body.eventBusArn,
        actorOf(caller),
      );
      return { status: 201, body: destinationResource(destination) };
    }),

    implement(routes.deleteEventDestination, async ({ params, caller }) => {
      await deleteDestination(deps, tenantIdOf(caller), params.destinationId, actorOf(caller));
      return { status: 204 };
    }),
  ];
}
