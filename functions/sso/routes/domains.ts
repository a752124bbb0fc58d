// Domain routes: a tenant claims a domain, publishes a TXT record and asks Plinth to check it. Another
// tenant's claim is a 404; a domain another tenant verified is a 409 `domain_taken`.
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { SsoDeps } from '../context.ts';
import { checkVerification, verificationToken } from '../domains.ts';
import { routes } from '../manifest.ts';
import { domainResource } from '../present.ts';
import { domainTaken } from '../store.ts';

export function domainRoutes(deps: SsoDeps): BoundRoute[] {
  const { store, cursors } = deps;

  return [
    implement(routes.createDomain, async ({ body, caller }) => {
      const tenantId = tenantIdOf(caller);
      const claim = await store.claimOf(body.domain);
      if (claim && claim.tenantId !== tenantId) throw domainTaken(body.domain);
      const item = await store.addDomain(
        {
          tenantId,
          domain: body.domain,
          verificationToken: verificationToken(),
          createdBy: actorOf(caller).id,
        },
        deps.maxDomainsPerTenant,
        actorOf(caller),
      );
      return { status: 201, body: domainResource(item) };
    }),

    implement(routes.listDomains, async ({ query, caller }) => {
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:domains`;
      const page = await store.listDomains(tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(cursors, caller, scope, page, domainResource) };
    }),

    implement(routes.getDomain, async ({ params, caller }) => ({
      status: 200,
      body: domainResource(await store.requireDomain(tenantIdOf(caller), params.domain)),
    })),

    implement(routes.verifyDomain, async ({ params, caller }) => {
      const current = await store.requireDomain(tenantIdOf(caller), params.domain);
      if (current.status === 'verified') return { status: 200, body: domainResource(current) };
      const outcome = await checkVerification(deps.lookupTxt, current.domain, current.verificationToken);
      if (!outcome.verified) {
        await store.recordFailedCheck(current, outcome.reason);
        throw new Problem(
          422,
          'domain_not_verified',
          `${current.domain} is not verified: ${outcome.reason}.`,
          {
            extensions: { domain: current.domain, reason: outcome.reason },
          },
        );
      }
      const verified = await store.markVerified(current, deps.runtime.region, actorOf(caller));
      return { status: 200, body: domainResource(verified) };
    }),

    implement(routes.deleteDomain, async ({ params, caller }) => {
      const current = await store.requireDomain(tenantIdOf(caller), params.domain);
      await store.removeDomain(current, actorOf(caller));
      return { status: 204 };
    }),
  ];
}
