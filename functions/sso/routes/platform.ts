// Support routes: Plinth's operator reads a tenant's SSO connections, their failure logs and its
// domain claims, as the tenant's admin sees them, to help debug an IdP. Read only; an unknown tenant
// is a 404 like any.
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { problems } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { SsoDeps } from '../context.ts';
import { routes } from '../manifest.ts';
import { apiBase, connectionResource, domainResource, failureResource } from '../present.ts';
import type { SignInStore } from '../sign-in-store.ts';

export function platformRoutes(
  deps: SsoDeps,
  signIns: Pick<SignInStore, 'getTenant' | 'listFailures'>,
): BoundRoute[] {
  const { store, cursors } = deps;

  async function requireTenant(tenantId: string): Promise<void> {
    if (!(await signIns.getTenant(tenantId))) throw problems.notFound('The tenant');
  }

  return [
    implement(routes.listTenantSsoConnections, async (request) => {
      const { params, query, caller } = request;
      await requireTenant(params.tenantId);
      const scope = `platform:${params.tenantId}:sso-connections`;
      const page = await store.listConnections(params.tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      const base = apiBase(request);
      return {
        status: 200,
        body: pageBody(cursors, caller, scope, page, (c) => connectionResource(c, base)),
      };
    }),

    implement(routes.listTenantSsoFailures, async ({ params, query, caller }) => {
      await store.requireConnection(params.tenantId, params.connectionId);
      const scope = `platform:${params.tenantId}:sso-failures:${params.connectionId}`;
      const page = await signIns.listFailures(params.tenantId, params.connectionId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, failureResource) };
    }),

    implement(routes.listTenantDomains, async ({ params, query, caller }) => {
      await requireTenant(params.tenantId);
      const scope = `platform:${params.tenantId}:domains`;
      const page = await store.listDomains(params.tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, domainResource) };
    }),
  ];
}
