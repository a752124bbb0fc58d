// The first owner of a new tenant is invited in the same transaction that creates the tenant: the
// tenants context adds these items to its createTenant transaction, so a tenant never exists
// without its owner's invitation on the way, and no invitation goes out for a tenant that failed.
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { EventItem } from '../../libs/data/entities.ts';
import type { Actor } from '../../libs/data/outbox.ts';
import type { MailItem } from '../../libs/mail/entity.ts';
import type { InvitationItem } from './entities.ts';
import { normalizeEmail } from './policy.ts';
import { newInvitationWrites } from './writes.ts';

export interface OwnerInvitationInput {
  tenantId: string;
  email: string;
  /** The owner's name, used to greet them. */
  name?: string | undefined;
  now: Date;
  /** The deployment's `identity.invitationExpiryDays` (a new tenant has no settings of its own). */
  expiryDays: number;
  /** `consoleUrlOf(deployment)` from libs/mail/console.ts. */
  consoleUrl: string;
  /** Named in the mail. @default 'your new tenant' */
  tenantName?: string | undefined;
  /** Who created the tenant. @default the system */
  actor?: Actor | undefined;
  /** Seals the invitation mail: the mail key. */
  mailBox: Pick<SecretBox, 'seal'>;
}

/**
 * The items to add to the createTenant transaction, each with its entity:
 * `invitation` (functions/invitations/entities.ts `invitationEntity`), `mail`
 * (libs/mail/entity.ts `mailEntity`) and `event` (the outbox event entity).
 */
export function ownerInvitationWrites(input: OwnerInvitationInput): {
  invitation: InvitationItem;
  mail: MailItem;
  event: EventItem;
} {
  return newInvitationWrites({
    tenantId: input.tenantId,
    tenantName: input.tenantName ?? 'your new tenant',
    email: normalizeEmail(input.email),
    name: input.name,
    roles: ['owner'],
    actor: input.actor ?? { type: 'system', id: 'tenants' },
    now: input.now,
    expiryDays: input.expiryDays,
    consoleUrl: input.consoleUrl,
    mailBox: input.mailBox,
  });
}
