// The public route that turns an invitation token into a user of the tenant.
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import { acceptInvitation } from '../accept.ts';
import type { InvitationsDeps } from '../context.ts';
import { routes } from '../manifest.ts';

export function acceptRoutes(deps: InvitationsDeps): BoundRoute[] {
  return [
    implement(routes.acceptInvitation, async ({ body }) => {
      const { user, invitation } = await acceptInvitation(deps, body);
      return {
        status: 201,
        body: {
          tenantId: user.tenantId,
          invitationId: invitation.invitationId,
          user: { id: user.userId, email: user.email, name: user.name, roles: user.roles },
        },
      };
    }),
  ];
}
