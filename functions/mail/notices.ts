// Notices to the people who run a tenant: the tenant's active owners and admins get an email, written
// as mail items that the stream consumer sends. Mail ids derive from the event and the recipient, so
// a redelivered event writes the same items again and nobody gets the notice twice.
import * as z from 'zod';
import { eventCatalog } from '../../events/catalog.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { Entities } from '../../libs/data/entities.ts';
import type { IdentityEntities, UserItem } from '../../libs/data/identity-entities.ts';
import { mailItem, type MailEntity } from '../../libs/mail/entity.ts';
import { endpointDisabledMessage } from '../../libs/mail/templates.ts';

export interface NoticeDeps {
  entities: { tenant: Entities['tenant']; user: IdentityEntities['user']; mail: MailEntity };
  consoleUrl: string;
  /** Seals the mail bodies: the mail key. */
  mailBox: Pick<SecretBox, 'seal'>;
  clock?: () => Date;
}

const noticeRoles = new Set(['owner', 'admin']);

/** The tenant's active users who hold the owner or admin role. */
export async function tenantAdministrators(
  user: IdentityEntities['user'],
  tenantId: string,
): Promise<UserItem[]> {
  const { data } = await user.query.byEmail({ tenantId }).go({ pages: 'all' });
  return data.filter((u) => u.status === 'active' && u.roles.some((r) => noticeRoles.has(r)));
}

const endpointDisabledDetail = z.object({
  id: z.string(),
  type: z.literal('endpoint.disabled'),
  tenantId: z.string(),
  data: eventCatalog['endpoint.disabled'].schema,
});

/** Mails the notice of a disabled webhook endpoint; answers how many people it was mailed to. */
export async function notifyEndpointDisabled(detail: unknown, deps: NoticeDeps): Promise<number> {
  const event = endpointDisabledDetail.parse(detail);
  const { data: tenant } = await deps.entities.tenant.get({ tenantId: event.tenantId }).go();
  // An offboarded tenant has nobody left to tell.
  if (!tenant) return 0;
  const recipients = await tenantAdministrators(deps.entities.user, event.tenantId);
  if (recipients.length === 0) return 0;
  const content = endpointDisabledMessage({
    tenantName: tenant.name,
    endpointId: event.data.endpointId,
    url: event.data.url,
    failingSince: event.data.failingSince,
    consoleUrl: deps.consoleUrl,
  });
  const now = (deps.clock ?? (() => new Date()))();
  const items = recipients.map((u) =>
    mailItem(
      { tenantId: event.tenantId, to: u.email, ...content, mailId: `${event.id}-${u.userId}` },
      now,
      deps.mailBox,
    ),
  );
  const { unprocessed } = await deps.entities.mail.put(items).go();
  if (unprocessed.length > 0) {
    throw new Error(`${unprocessed.length} notice mail items were not written; the event will be retried`);
  }
  return items.length;
}
