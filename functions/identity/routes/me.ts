// The signed-in user's own routes: profile, the tenants they belong to, TOTP enrolment and sessions.
import { actorOf } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { signedInUser, type IdentityDeps } from '../context.ts';
import { routes } from '../manifest.ts';
import { bearerToken, startTotpEnrolment, verifyTotpEnrolment } from '../mfa.ts';
import { meResource, sessionResource } from '../present.ts';

export function meRoutes(deps: IdentityDeps): BoundRoute[] {
  const { store, userPool, cursors } = deps;

  return [
    implement(routes.getMe, async ({ caller }) => {
      const me = signedInUser(caller);
      const user = await store.requireUser(me.tenantId, me.userId);
      return { status: 200, body: meResource(user, me) };
    }),

    implement(routes.updateMe, async ({ caller, body }) => {
      const me = signedInUser(caller);
      const current = await store.requireUser(me.tenantId, me.userId);
      const user = await store.updateUser(current, { name: body.name }, {}, actorOf(caller));
      if (user !== current) await userPool.setName(me.userId, body.name);
      return { status: 200, body: meResource(user, me) };
    }),

    implement(routes.startTotpEnrolment, async ({ caller, headers }) => ({
      status: 200,
      body: await startTotpEnrolment(deps, signedInUser(caller), bearerToken(headers)),
    })),

    implement(routes.verifyTotpEnrolment, async ({ caller, headers, body }) => {
      await verifyTotpEnrolment(deps, signedInUser(caller), bearerToken(headers), body);
      return {
        status: 200,
        body: {
          mfaEnrolled: true,
          detail: 'TOTP is enrolled. Sign in again: tokens issued from now on carry MFA.',
        },
      };
    }),

    implement(routes.listMyTenants, async ({ caller }) => {
      const me = signedInUser(caller);
      const memberships = await store.activeMembershipsOf(me.userId);
      return {
        status: 200,
        body: {
          items: memberships.map(({ user, tenant }) => ({
            tenantId: tenant.tenantId,
            tenantName: tenant.name,
            tenantStatus: tenant.status,
            roles: user.roles,
            current: tenant.tenantId === me.tenantId,
          })),
        },
      };
    }),

    implement(routes.listMySessions, async ({ caller, query }) => {
      const me = signedInUser(caller);
      const scope = `tenant:${me.tenantId}:user:${me.userId}:sessions`;
      const page = await store.listLiveSessions(me.tenantId, me.userId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return {
        status: 200,
        body: pageBody(cursors, caller, scope, page, (s) => sessionResource(s, me.sessionId)),
      };
    }),

    implement(routes.revokeMySession, async ({ caller, params }) => {
      const me = signedInUser(caller);
      await store.revokeSession(me.tenantId, me.userId, params.sessionId, actorOf(caller));
      return { status: 204 };
    }),

    implement(routes.revokeAllMySessions, async ({ caller }) => {
      const me = signedInUser(caller);
      const revoked = await store.revokeAllSessions(me.tenantId, me.userId, actorOf(caller));
      await userPool.signOutEverywhere(me.userId);
      return { status: 200, body: { revoked } };
    }),
  ];
}
