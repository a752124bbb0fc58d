// Webhook endpoint routes: CRUD on the caller's tenant's endpoints and their signing secrets.
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { WebhooksDeps } from '../context.ts';
import {
  createEndpoint,
  endpointResource,
  revealSecrets,
  rotateSecret,
  updateEndpoint,
} from '../endpoints.ts';
import { routes } from '../manifest.ts';

export function endpointRoutes(deps: WebhooksDeps): BoundRoute[] {
  const { store, cursors } = deps;
  return [
    implement(routes.createWebhookEndpoint, async ({ body, caller }) => {
      const { endpoint, secret } = await createEndpoint(deps, tenantIdOf(caller), body, actorOf(caller));
      return {
        status: 201,
        body: { ...endpointResource(endpoint), secret },
        headers: { location: `/v1/webhooks/${endpoint.endpointId}` },
      };
    }),

    implement(routes.listWebhookEndpoints, async ({ query, caller }) => {
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:webhooks`;
      const page = await store.listEndpoints(tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, endpointResource) };
    }),

    implement(routes.getWebhookEndpoint, async ({ params, caller }) => ({
      status: 200,
      body: endpointResource(await store.requireEndpoint(tenantIdOf(caller), params.webhookId)),
    })),

    implement(routes.updateWebhookEndpoint, async ({ params, body, caller }) => ({
      status: 200,
      body: endpointResource(
        await updateEndpoint(deps, tenantIdOf(caller), params.webhookId, body, actorOf(caller)),
      ),
    })),

    implement(routes.deleteWebhookEndpoint, async ({ params, caller }) => {
      await store.deleteEndpoint(tenantIdOf(caller), params.webhookId, actorOf(caller));
      return { status: 204 };
    }),

    implement(routes.getWebhookEndpointSecret, async ({ params, caller }) => ({
      status: 200,
      body: await revealSecrets(deps, tenantIdOf(caller), params.webhookId),
      headers: { 'cache-control': 'no-store' },
    })),

    implement(routes.rotateWebhookEndpointSecret, async ({ params, caller }) => ({
      status: 200,
      body: await rotateSecret(deps, tenantIdOf(caller), params.webhookId, actorOf(caller)),
      headers: { 'cache-control': 'no-store' },
    })),
  ];
}
