// Platform routes on tenants: create, list, read, update, suspend, resume, and their events.
import { actorOf, type CallerContext } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { zoneOf } from '../../../libs/config/deployment.ts';
import { consoleUrlOf } from '../../../libs/mail/console.ts';
import { ownerInvitationWrites } from '../../invitations/owner.ts';
import { routes } from '../manifest.ts';
import { nextStatus, type LifecycleAction } from '../lifecycle.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { requirePlan, type TenantsDeps } from '../context.ts';
import { eventResource, tenantResource } from '../present.ts';

export function tenantRoutes(deps: TenantsDeps): BoundRoute[] {
  const { store, config, cursors } = deps;

  async function transition(
    tenantId: string,
    action: LifecycleAction,
    reason: string | undefined,
    caller: CallerContext,
  ) {
    const current = await store.requireTenant(tenantId);
    const tenant = await store.changeStatus(
      current,
      nextStatus(current.status, action),
      reason,
      actorOf(caller),
    );
    return { status: 200, body: tenantResource(tenant) };
  }

  return [
    implement(routes.createTenant, async ({ body, caller }) => {
      const plan = body.plan ?? config.deployment.defaultPlan;
      requirePlan(config, plan);
      if (!zoneOf(config.deployment, body.region)) {
        throw new Problem(400, 'validation_failed', 'The request has invalid fields; see errors.', {
          errors: [
            {
              path: 'body.region',
              code: 'unknown_region',
              message: `must be one of: ${config.deployment.regions.map((r) => r.region).join(', ')}`,
            },
          ],
        });
      }
      // A tenant's data is created in its home region only, so the call must reach that region's API.
      if (body.region !== config.region) {
        throw new Problem(
          421,
          'wrong_region',
          `This API serves ${config.region}; create a tenant of ${body.region} through that region's API.`,
          { extensions: { region: body.region, servedRegion: config.region } },
        );
      }
      const actor = actorOf(caller);
      const { owner } = body;
      const tenant = await store.createTenant(
        { name: body.name, slug: body.slug, plan, homeRegion: body.region },
        actor,
        owner
          ? (created, now) =>
              ownerInvitationWrites({
                tenantId: created.tenantId,
                tenantName: created.name,
                email: owner.email,
                name: owner.name,
                now,
                expiryDays: config.deployment.identity.invitationExpiryDays,
                consoleUrl: consoleUrlOf(config.deployment),
                actor,
                mailBox: deps.mailBox,
              })
          : undefined,
      );
      return {
        status: 201,
        body: tenantResource(tenant),
        headers: { location: `/v1/platform/tenants/${tenant.tenantId}` },
      };
    }),

    implement(routes.listTenants, async ({ query, caller }) => {
      const scope = `platform:tenants:${query.status ?? 'all'}`;
      const page = await store.listTenants(
        { status: query.status },
        { limit: query.limit, position: positionOf(cursors, caller, scope, query.cursor) },
      );
      return { status: 200, body: pageBody(cursors, caller, scope, page, tenantResource) };
    }),

    implement(routes.getTenant, async ({ params }) => ({
      status: 200,
      body: tenantResource(await store.requireTenant(params.tenantId)),
    })),

    implement(routes.updateTenant, async ({ params, body, caller }) => {
      if (body.plan !== undefined) requirePlan(config, body.plan);
      const tenant = await store.updateTenant(params.tenantId, body, actorOf(caller));
      return { status: 200, body: tenantResource(tenant) };
    }),

    implement(routes.suspendTenant, async ({ params, body, caller }) =>
      transition(params.tenantId, 'suspend', body.reason, caller),
    ),

    implement(routes.resumeTenant, async ({ params, caller }) =>
      transition(params.tenantId, 'resume', undefined, caller),
    ),

    implement(routes.listTenantEvents, async ({ params, query, caller }) => {
      await store.requireTenant(params.tenantId);
      const scope = `platform:events:${params.tenantId}`;
      const page = await store.listEvents(params.tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, eventResource) };
    }),
  ];
}
