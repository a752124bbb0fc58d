// Delivery routes of one endpoint: its delivery log and attempts, a retry now, a test event, and a
// recovery job that re-sends failed deliveries since a time.
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { problems } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { jobLocation, jobResource } from '../../../libs/jobs/job.ts';
import type { WebhooksDeps } from '../context.ts';
import { attemptResource, deliveryResource } from '../delivery-schemas.ts';
import { requestRecovery } from '../endpoints.ts';
import { routes } from '../manifest.ts';

export function deliveryRoutes(deps: WebhooksDeps): BoundRoute[] {
  const { store, deliveries, cursors } = deps;

  return [
    implement(routes.listWebhookDeliveries, async ({ params, query, caller }) => {
      const tenantId = tenantIdOf(caller);
      await store.requireEndpoint(tenantId, params.webhookId);
      // The filter is part of the scope: a cursor is only good for the list it came from.
      const scope = `tenant:${tenantId}:webhooks:${params.webhookId}:deliveries:${query.status ?? ''}:${query.eventType ?? ''}`;
      const page = await deliveries.listDeliveries(
        tenantId,
        params.webhookId,
        { status: query.status, eventType: query.eventType },
        { limit: query.limit, position: positionOf(cursors, caller, scope, query.cursor) },
      );
      return { status: 200, body: pageBody(cursors, caller, scope, page, deliveryResource) };
    }),

    implement(routes.getWebhookDelivery, async ({ params, caller }) => {
      const tenantId = tenantIdOf(caller);
      await store.requireEndpoint(tenantId, params.webhookId);
      const delivery = await deliveries.getDelivery(tenantId, params.webhookId, params.deliveryId);
      if (!delivery) throw problems.notFound('The delivery');
      return { status: 200, body: deliveryResource(delivery) };
    }),

    implement(routes.listWebhookDeliveryAttempts, async ({ params, query, caller }) => {
      const tenantId = tenantIdOf(caller);
      await store.requireEndpoint(tenantId, params.webhookId);
      if (!(await deliveries.getDelivery(tenantId, params.webhookId, params.deliveryId))) {
        throw problems.notFound('The delivery');
      }
      const scope = `tenant:${tenantId}:webhooks:${params.webhookId}:deliveries:${params.deliveryId}:attempts`;
      const page = await deliveries.listAttempts(tenantId, params.webhookId, params.deliveryId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, attemptResource) };
    }),

    implement(routes.retryWebhookDelivery, async ({ params, caller }) => {
      const tenantId = tenantIdOf(caller);
      const endpoint = await store.requireEndpoint(tenantId, params.webhookId);
      const delivery = await deliveries.retryNow(tenantId, endpoint, params.deliveryId);
      return { status: 202, body: deliveryResource(delivery) };
    }),

    implement(routes.sendWebhookTestEvent, async ({ params, caller }) => {
      const tenantId = tenantIdOf(caller);
      const endpoint = await store.requireEndpoint(tenantId, params.webhookId);
      const delivery = await deliveries.sendTestEvent(tenantId, endpoint, deps.clock());
      return { status: 202, body: deliveryResource(delivery) };
    }),

    implement(routes.recoverWebhookDeliveries, async ({ params, body, caller }) => {
      if (caller.kind !== 'tenant') throw problems.unauthorized('A tenant credential is required.');
      const job = await requestRecovery(deps, tenantIdOf(caller), params.webhookId, body.since, {
        actor: actorOf(caller),
        plan: caller.plan,
      });
      return { status: 202, body: jobResource(job), headers: { location: jobLocation(job.jobId) } };
    }),
  ];
}
