// The items one invitation writes: the invitation (holding only its token's hash), the mail that
// carries the token (sealed with the mail key), and the outbox event. Built here once for single, bulk and owner invitations.
import { ulid } from 'ulid';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { EventItem } from '../../libs/data/entities.ts';
import { eventItem, type Actor } from '../../libs/data/outbox.ts';
import { mailItem, type MailItem } from '../../libs/mail/entity.ts';
import { invitationMessage } from '../../libs/mail/templates.ts';
import type { InvitationItem } from './entities.ts';
import { expiresAtFrom } from './policy.ts';
import { generateInvitationToken, hashInvitationToken } from './tokens.ts';

export interface NewInvitationInput {
  tenantId: string;
  tenantName: string;
  /** Already normalised (lower-cased). */
  email: string;
  name?: string | undefined;
  roles: string[];
  actor: Actor;
  /** The inviting person's name for the mail, when a person invited. */
  inviterName?: string | undefined;
  jobId?: string | undefined;
  /** The pending invitation for the same email that this one replaces. */
  replacedInvitationId?: string | undefined;
  now: Date;
  expiryDays: number;
  consoleUrl: string;
  /** Seals the mail that carries the token: the mail key. */
  mailBox: Pick<SecretBox, 'seal'>;
}

export interface InvitationWrites {
  invitation: InvitationItem;
  mail: MailItem;
  event: EventItem;
}

/** `<actor type>:<actor id>`, as invitations and jobs record who asked. */
export function actorRef(actor: Actor): string {
  return `${actor.type}:${actor.id}`;
}

export function newInvitationWrites(input: NewInvitationInput): InvitationWrites {
  const { now } = input;
  const token = generateInvitationToken();
  const at = now.toISOString();
  const invitation: InvitationItem = {
    tenantId: input.tenantId,
    invitationId: `inv_${ulid(now.getTime())}`,
    email: input.email,
    ...(input.name !== undefined ? { name: input.name } : {}),
    roles: input.roles,
    status: 'pending',
    tokenHash: hashInvitationToken(token),
    expiresAt: expiresAtFrom(now, input.expiryDays),
    invitedBy: actorRef(input.actor),
    ...(input.jobId !== undefined ? { jobId: input.jobId } : {}),
    createdAt: at,
    updatedAt: at,
  };
  const content = invitationMessage({
    tenantName: input.tenantName,
    inviterName: input.inviterName,
    inviteeName: input.name,
    roles: input.roles,
    consoleUrl: input.consoleUrl,
    token,
    expiresAt: invitation.expiresAt,
  });
  const event = eventItem(
    input.tenantId,
    input.actor,
    'invitation.created',
    {
      invitation: {
        id: invitation.invitationId,
        email: invitation.email,
        roles: invitation.roles,
        expiresAt: invitation.expiresAt,
        invitedBy: invitation.invitedBy,
      },
      ...(input.replacedInvitationId !== undefined
        ? { replacedInvitationId: input.replacedInvitationId }
        : {}),
      ...(input.jobId !== undefined ? { jobId: input.jobId } : {}),
    },
    now,
  );
  return {
    invitation,
    mail: mailItem({ tenantId: input.tenantId, to: input.email, ...content }, now, input.mailBox),
    event,
  };
}

export interface ResendInput {
  invitation: InvitationItem;
  tenantName: string;
  inviterName?: string | undefined;
  actor: Actor;
  now: Date;
  expiryDays: number;
  consoleUrl: string;
  mailBox: Pick<SecretBox, 'seal'>;
}

/** A new token and expiry for a pending invitation; the old token's hash is gone with the update. */
export function resendWrites(input: ResendInput): InvitationWrites {
  const { now, invitation } = input;
  const token = generateInvitationToken();
  const next: InvitationItem = {
    ...invitation,
    tokenHash: hashInvitationToken(token),
    expiresAt: expiresAtFrom(now, input.expiryDays),
    updatedAt: now.toISOString(),
  };
  const content = invitationMessage({
    tenantName: input.tenantName,
    inviterName: input.inviterName,
    inviteeName: invitation.name,
    roles: invitation.roles,
    consoleUrl: input.consoleUrl,
    token,
    expiresAt: next.expiresAt,
  });
  return {
    invitation: next,
    mail: mailItem({ tenantId: invitation.tenantId, to: invitation.email, ...content }, now, input.mailBox),
    event: eventItem(
      invitation.tenantId,
      input.actor,
      'invitation.resent',
      { invitationId: invitation.invitationId, email: invitation.email, expiresAt: next.expiresAt },
      now,
    ),
  };
}
