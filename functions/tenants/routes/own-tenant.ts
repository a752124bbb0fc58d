// The tenant API's view of the caller's own tenant.
import { tenantIdOf } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { routes } from '../manifest.ts';
import type { TenantsDeps } from '../context.ts';
import { tenantResource } from '../present.ts';

export function ownTenantRoutes({ store }: TenantsDeps): BoundRoute[] {
  return [
    implement(routes.getOwnTenant, async ({ caller }) => ({
      status: 200,
      body: tenantResource(await store.requireTenant(tenantIdOf(caller))),
    })),
  ];
}
