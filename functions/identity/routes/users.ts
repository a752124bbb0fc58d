// Administering the caller's tenant's users and their sessions. Another tenant's user is a 404:
// every read is keyed by the caller's own tenant.
import { actorOf, tenantIdOf, type CallerContext } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { type IdentityDeps } from '../context.ts';
import { routes } from '../manifest.ts';
import { sessionResource, userResource } from '../present.ts';
import { deactivateUser, deleteUser, reactivateUser, updateUser } from '../users.ts';

export function userRoutes(deps: IdentityDeps): BoundRoute[] {
  const { store, userPool, cursors } = deps;
  const acting = (caller: CallerContext) => ({ deps, caller, actor: actorOf(caller) });

  return [
    implement(routes.listUsers, async ({ caller, query }) => {
      const tenantId = tenantIdOf(caller);
      const { status, role, emailPrefix } = query;
      // The filters are part of the scope: a cursor continues only the list it came from.
      const scope = `tenant:${tenantId}:users:${JSON.stringify([status ?? '', role ?? '', emailPrefix ?? ''])}`;
      const page = await store.listUsers(
        tenantId,
        { status, role, emailPrefix },
        { limit: query.limit, position: positionOf(cursors, caller, scope, query.cursor) },
      );
      return { status: 200, body: pageBody(cursors, caller, scope, page, userResource) };
    }),

    implement(routes.getUser, async ({ caller, params }) => ({
      status: 200,
      body: userResource(await store.requireUser(tenantIdOf(caller), params.userId)),
    })),

    implement(routes.updateUser, async ({ caller, params, body }) => ({
      status: 200,
      body: userResource(await updateUser(acting(caller), tenantIdOf(caller), params.userId, body)),
    })),

    implement(routes.deactivateUser, async ({ caller, params }) => ({
      status: 200,
      body: userResource(await deactivateUser(acting(caller), tenantIdOf(caller), params.userId)),
    })),

    implement(routes.reactivateUser, async ({ caller, params }) => ({
      status: 200,
      body: userResource(await reactivateUser(acting(caller), tenantIdOf(caller), params.userId)),
    })),

    implement(routes.deleteUser, async ({ caller, params }) => {
      await deleteUser(acting(caller), tenantIdOf(caller), params.userId);
      return { status: 204 };
    }),

    implement(routes.listUserSessions, async ({ caller, params, query }) => {
      const tenantId = tenantIdOf(caller);
      await store.requireUser(tenantId, params.userId);
      const scope = `tenant:${tenantId}:user:${params.userId}:sessions`;
      const page = await store.listLiveSessions(tenantId, params.userId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return {
        status: 200,
        body: pageBody(cursors, caller, scope, page, (s) => sessionResource(s, caller.credentialId)),
      };
    }),

    implement(routes.revokeUserSession, async ({ caller, params }) => {
      await store.revokeSession(tenantIdOf(caller), params.userId, params.sessionId, actorOf(caller));
      return { status: 204 };
    }),

    implement(routes.revokeAllUserSessions, async ({ caller, params }) => {
      const revoked = await store.revokeAllSessions(tenantIdOf(caller), params.userId, actorOf(caller));
      await userPool.signOutEverywhere(params.userId);
      return { status: 200, body: { revoked } };
    }),
  ];
}
