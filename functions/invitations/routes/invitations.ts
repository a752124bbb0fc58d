// Invitation routes of a tenant: invite one or many, list, read, resend and revoke.
import { tenantIdOf } from '../../../libs/auth/caller.ts';
import { jobLocation, jobResource } from '../../../libs/jobs/job.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { startBulkInvitations } from '../bulk.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { type InvitationsDeps } from '../context.ts';
import { invite, requireInvitation, resend, revoke } from '../invitations.ts';
import { routes } from '../manifest.ts';
import { invitationResource } from '../present.ts';

export function invitationRoutes(deps: InvitationsDeps): BoundRoute[] {
  const { store, cursors, clock } = deps;

  return [
    implement(routes.createInvitation, async ({ body, caller }) => {
      const created = await invite(deps, caller, body);
      return {
        status: 201,
        body: invitationResource(created, clock()),
        headers: { location: `/v1/invitations/${created.invitationId}` },
      };
    }),

    implement(routes.bulkInvite, async ({ body, caller }) => {
      const rows = body.invitations.map((row) => ({ email: row.email, roles: row.roles ?? body.roles }));
      const job = await startBulkInvitations(deps, caller, rows, { replacePending: body.replacePending });
      return { status: 202, body: jobResource(job), headers: { location: jobLocation(job.jobId) } };
    }),

    implement(routes.listInvitations, async ({ query, caller }) => {
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:invitations:${query.status ?? 'all'}`;
      const now = clock();
      const page = await store.listInvitations(
        tenantId,
        query.status,
        { limit: query.limit, position: positionOf(cursors, caller, scope, query.cursor) },
        now,
      );
      return { status: 200, body: pageBody(cursors, caller, scope, page, (i) => invitationResource(i, now)) };
    }),

    implement(routes.getInvitation, async ({ params, caller }) => ({
      status: 200,
      body: invitationResource(
        await requireInvitation(deps, tenantIdOf(caller), params.invitationId),
        clock(),
      ),
    })),

    implement(routes.resendInvitation, async ({ params, caller }) => ({
      status: 200,
      body: invitationResource(await resend(deps, caller, params.invitationId), clock()),
    })),

    implement(routes.revokeInvitation, async ({ params, caller }) => ({
      status: 200,
      body: invitationResource(await revoke(deps, caller, params.invitationId), clock()),
    })),
  ];
}
