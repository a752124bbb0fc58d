// Roles of the caller's tenant: the built-in ones, read-only, and its custom roles.
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { type IdentityDeps } from '../context.ts';
import { routes } from '../manifest.ts';
import { builtInRoleResources, roleResource } from '../present.ts';
import { createRole, deleteRole, getRole, updateRole } from '../roles.ts';

export function roleRoutes(deps: IdentityDeps): BoundRoute[] {
  const { store, cursors } = deps;

  return [
    implement(routes.listRoles, async ({ caller, query }) => {
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:roles`;
      const position = positionOf(cursors, caller, scope, query.cursor);
      const page = await store.listCustomRoles(tenantId, { limit: query.limit, position });
      const body = pageBody(cursors, caller, scope, page, roleResource);
      // The built-in roles lead the first page; `limit` counts custom roles.
      const items = position === undefined ? [...builtInRoleResources, ...body.items] : body.items;
      return { status: 200, body: { ...body, items } };
    }),

    implement(routes.getRole, async ({ caller, params }) => ({
      status: 200,
      body: await getRole(deps, tenantIdOf(caller), params.roleId),
    })),

    implement(routes.createRole, async ({ caller, body }) => ({
      status: 201,
      body: roleResource(await createRole(deps, caller, tenantIdOf(caller), body, actorOf(caller))),
    })),

    implement(routes.updateRole, async ({ caller, params, body }) => ({
      status: 200,
      body: roleResource(
        await updateRole(deps, caller, tenantIdOf(caller), params.roleId, body, actorOf(caller)),
      ),
    })),

    implement(routes.deleteRole, async ({ caller, params }) => {
      await deleteRole(deps, tenantIdOf(caller), params.roleId, actorOf(caller));
      return { status: 204 };
    }),
  ];
}
