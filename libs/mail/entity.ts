// The mail outbox: an email is an item written in the same transaction as the change that needs it
// (an invitation, a verification code), and the mail context's stream consumer sends it through SES.
// Nothing is mailed for a change that did not commit, and nothing committed goes unmailed. The body
// carries secrets (invitation tokens, verification codes) and is sealed with the mail key, so the
// table, its stream and its backups hold it only encrypted.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { ulid } from 'ulid';
import * as z from 'zod';
import type { SecretBox } from '../crypto/secret-box.ts';

/** A mail item is removed by TTL after this long; it is sent (or has failed) well before. */
export const mailRetentionSeconds = 24 * 60 * 60;

export function mailEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'mail', version: '1', service: 'plinth' },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        mailId: { type: 'string', required: true, readOnly: true },
        to: { type: 'string', required: true, readOnly: true },
        subject: { type: 'string', required: true, readOnly: true },
        /** The text and HTML bodies as JSON, sealed with the mail key (see {@link sealMailBody}). */
        body: { type: 'string', required: true, readOnly: true },
        /** Epoch seconds (TTL). */
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['mailId'], template: 'MAIL#${mailId}' },
        },
      },
    },
    { table, client },
  );
}

export type MailEntity = ReturnType<typeof mailEntity>;
export type MailItem = EntityItem<MailEntity>;

export interface MailMessage {
  tenantId: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /**
   * Give a mail id derived from what caused the mail when the writer may run twice (a retried event
   * consumer): writing the same id again is not a new item, so it is not sent again.
   * @default a new ULID
   */
  mailId?: string;
}

export interface MailBody {
  text: string;
  html?: string | undefined;
}

const mailBody = z.strictObject({ text: z.string(), html: z.string().optional() });

/** Seals a mail's bodies with the mail key: what a mail item stores. */
export function sealMailBody(body: MailBody, box: Pick<SecretBox, 'seal'>): string {
  return box.seal(
    JSON.stringify({ text: body.text, ...(body.html !== undefined ? { html: body.html } : {}) }),
  );
}

/** The bodies of a mail item; throws when the value was not sealed with the mail key or was altered. */
export function openMailBody(sealed: string, box: Pick<SecretBox, 'open'>): MailBody {
  return mailBody.parse(JSON.parse(box.open(sealed)));
}

/**
 * The outbox item of one email, its body sealed with `box` (the mail key); put it in the
 * transaction of the change that needs it.
 */
export function mailItem(message: MailMessage, now: Date, box: Pick<SecretBox, 'seal'>): MailItem {
  return {
    tenantId: message.tenantId,
    mailId: message.mailId ?? ulid(now.getTime()),
    to: message.to,
    subject: message.subject,
    body: sealMailBody(message, box),
    expiresAt: Math.floor(now.getTime() / 1000) + mailRetentionSeconds,
  };
}
