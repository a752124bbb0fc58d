// The caller's tenant's identity settings: MFA policy, MFA grace period, invitation expiry and
// whether users of its verified domains must sign in through SSO.
import { actorOf, tenantIdOf, type CallerContext } from '../../../libs/auth/caller.ts';
import { ssoRequiredFor } from '../../../libs/auth/sso-policy.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { IdentityDeps } from '../context.ts';
import { routes } from '../manifest.ts';
import { changeSettings, effectiveSettings } from '../settings.ts';

export function settingsRoutes(deps: IdentityDeps): BoundRoute[] {
  const { store, config, clock } = deps;

  /**
   * Requiring SSO ends every password session of the tenant's verified domains, so an admin of one
   * of them must be signed in through SSO to set it: otherwise they would lock themselves out.
   */
  async function requireSsoSignedIn(caller: CallerContext, tenantId: string): Promise<void> {
    if (caller.kind !== 'tenant' || caller.principalType !== 'user') return;
    const user = await store.getUser(tenantId, caller.principalId);
    if (!user) return;
    const affected = await ssoRequiredFor({ ssoPolicy: 'required' }, user, store.isVerifiedDomain);
    if (!affected) return;
    const session = await store.getSession(tenantId, user.userId, caller.credentialId);
    if (session?.connectionId === undefined) {
      throw new Problem(
        409,
        'sso_sign_in_required',
        'Sign in through SSO before requiring it: your own password session would end, and so would your way back in.',
      );
    }
  }
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
      if (diff.ssoPolicy?.to === 'required') await requireSsoSignedIn(caller, tenantId);
      if (Object.keys(diff).length === 0) {
        return { status: 200, body: effectiveSettings(current, defaultExpiry) };
      }
      await store.saveSettings(current, next, diff, actorOf(caller));
      return { status: 200, body: effectiveSettings(next, defaultExpiry) };
    }),
  ];
}
