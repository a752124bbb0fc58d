// The text of every email Plinth sends, as pure functions of what the message is about. Each returns
// the subject, a plain-text body and, where a button helps, an HTML body with every value escaped.
import { escapeMarkup } from '../http/markup.ts';

export interface MailContent {
  subject: string;
  text: string;
  html?: string;
}

/** `2026-03-01T12:00:00.000Z` → `2026-03-01 12:00 UTC`: unambiguous for every reader. */
function readableTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export interface InvitationMessageInput {
  tenantName: string;
  /** Who invited them, when a person did. */
  inviterName?: string | undefined;
  /** The invited person's name, when known. */
  inviteeName?: string | undefined;
  roles: readonly string[];
  consoleUrl: string;
  /** The raw token; it appears in the link and on a line of its own for API users. */
  token: string;
  expiresAt: string;
}

export function acceptLink(consoleUrl: string, token: string): string {
  return `${consoleUrl}/accept?token=${encodeURIComponent(token)}`;
}

export function invitationMessage(input: InvitationMessageInput): MailContent {
  const link = acceptLink(input.consoleUrl, input.token);
  const who = input.inviterName ?? 'You have been';
  const invited = input.inviterName ? `${who} invited you` : `${who} invited`;
  const roles = input.roles.join(', ');
  const greeting = input.inviteeName ? `Hello ${input.inviteeName},` : 'Hello,';
  const expires = readableTime(input.expiresAt);
  const text = [
    greeting,
    '',
    `${invited} to join ${input.tenantName} on Plinth (roles: ${roles}).`,
    '',
    'Accept the invitation and choose your password here:',
    link,
    '',
    'Or accept it through the API (POST /v1/invitations/accept) with this token:',
    input.token,
    '',
    `The invitation expires on ${expires}. If you did not expect it, ignore this email.`,
  ].join('\n');
  const html = [
    `<p>${escapeMarkup(greeting)}</p>`,
    `<p>${escapeMarkup(invited)} to join <strong>${escapeMarkup(input.tenantName)}</strong> on Plinth (roles: ${escapeMarkup(roles)}).</p>`,
    `<p><a href="${escapeMarkup(link)}">Accept the invitation</a></p>`,
    `<p>Or accept it through the API (POST /v1/invitations/accept) with this token:</p>`,
    `<pre>${escapeMarkup(input.token)}</pre>`,
    `<p>The invitation expires on ${escapeMarkup(expires)}. If you did not expect it, ignore this email.</p>`,
  ].join('\n');
  return { subject: `You are invited to join ${input.tenantName} on Plinth`, text, html };
}

export interface EmailVerificationMessageInput {
  tenantName: string;
  /** The new address, which the code proves the user can read. */
  email: string;
  code: string;
  validMinutes: number;
}

export function emailVerificationMessage(input: EmailVerificationMessageInput): MailContent {
  return {
    subject: 'Confirm your new email address for Plinth',
    text: [
      `Someone asked to use ${input.email} as the email address of their ${input.tenantName} account on Plinth.`,
      '',
      'Your verification code is:',
      input.code,
      '',
      `It is valid for ${input.validMinutes} minutes. If you did not ask for this, ignore this email; nothing changes.`,
    ].join('\n'),
  };
}

export interface EndpointDisabledMessageInput {
  tenantName: string;
  endpointId: string;
  url: string;
  /** When its deliveries started failing, if known. */
  failingSince?: string | undefined;
  consoleUrl: string;
}

export function endpointDisabledMessage(input: EndpointDisabledMessageInput): MailContent {
  const since = input.failingSince ? ` since ${readableTime(input.failingSince)}` : '';
  return {
    subject: `Webhook endpoint disabled: ${input.url}`,
    text: [
      `Plinth disabled the webhook endpoint ${input.url} (${input.endpointId}) of ${input.tenantName}: every delivery to it failed${since}.`,
      '',
      'No events are delivered to it until it is enabled again. Fix the receiver, then enable the endpoint in the console or through the API (PATCH the endpoint with "enabled": true):',
      `${input.consoleUrl}/webhooks`,
      '',
      'You receive this email as an owner or admin of the tenant.',
    ].join('\n'),
  };
}
