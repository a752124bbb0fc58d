// API key routes: platform admins manage any tenant's keys; a tenant manages its own.
import { actorOf, tenantIdOf, type CallerContext } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { routes } from '../manifest.ts';
import { issueApiKey } from '../api-keys.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { type TenantsDeps } from '../context.ts';
import { apiKeyResource } from '../present.ts';

export function apiKeyRoutes(deps: TenantsDeps): BoundRoute[] {
  const { store, cursors } = deps;

  async function listKeys(
    caller: CallerContext,
    tenantId: string,
    limit: number,
    cursor: string | undefined,
  ) {
    const scope = `tenant:${tenantId}:api-keys`;
    const page = await store.listApiKeys(tenantId, {
      limit,
      position: positionOf(cursors, caller, scope, cursor),
    });
    return { status: 200, body: pageBody(cursors, caller, scope, page, apiKeyResource) };
  }

  return [
    implement(routes.createTenantApiKey, async ({ params, body, caller }) => ({
      status: 201,
      body: await issueApiKey(deps, params.tenantId, body, caller),
    })),

    implement(routes.listTenantApiKeys, async ({ params, query, caller }) => {
      await store.requireTenant(params.tenantId);
      return listKeys(caller, params.tenantId, query.limit, query.cursor);
    }),

    implement(routes.revokeTenantApiKey, async ({ params, caller }) => {
      await store.revokeApiKey(params.tenantId, params.keyId, actorOf(caller));
      return { status: 204 };
    }),

    implement(routes.listApiKeys, async ({ query, caller }) =>
      listKeys(caller, tenantIdOf(caller), query.limit, query.cursor),
    ),

    implement(routes.createApiKey, async ({ body, caller }) => ({
      status: 201,
      body: await issueApiKey(deps, tenantIdOf(caller), body, caller),
    })),

    implement(routes.revokeApiKey, async ({ params, caller }) => {
      await store.revokeApiKey(tenantIdOf(caller), params.keyId, actorOf(caller));
      return { status: 204 };
    }),
  ];
}
