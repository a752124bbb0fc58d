// The caller's tenant's identity settings: MFA policy, MFA grace period and invitation expiry.
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { IdentityDeps } from '../context.ts';
import { routes } from '../manifest.ts';
import { changeSettings, effectiveSettings } from '../settings.ts';

export function settingsRoutes(deps: IdentityDeps): BoundRoute[] {
  const { store, config, clock } = deps;
  const defaultExpiry = config.deployment.identity.invitationExpiryDays;

  return [
    implement(routes.getIdentitySettings, async ({ caller }) => ({
      status: 200,
      body: effectiveSettings(await store.getSettings(tenantIdOf(caller)), defaultExpiry),
    })),

    implement(routes.updateIdentitySettings, async ({ caller, body }) => {
      const tenantId = tenantIdOf(caller);
      const current = await store.getSettings(tenantId);
      const { next, diff } = changeSettings(tenantId, current, body, clock());
      if (Object.keys(diff).length === 0) {
        return { status: 200, body: effectiveSettings(current, defaultExpiry) };
      }
      await store.saveSettings(current, next, diff, actorOf(caller));
      return { status: 200, body: effectiveSettings(next, defaultExpiry) };
    }),
  ];
}
