// A signed-in user's email change: ask for a code at the new address, then confirm with it.
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { InvitationsDeps } from '../context.ts';
import { requestEmailChange, verifyEmailChange } from '../email-change.ts';
import { routes } from '../manifest.ts';

export function emailRoutes(deps: InvitationsDeps): BoundRoute[] {
  return [
    implement(routes.requestEmailChange, async ({ body, caller }) => ({
      status: 202,
      body: await requestEmailChange(deps, caller, body.email),
    })),

    implement(routes.verifyEmailChange, async ({ body, caller }) => {
      const changed = await verifyEmailChange(deps, caller, body.code);
      return { status: 200, body: { ...changed, emailVerified: true } };
    }),
  ];
}
