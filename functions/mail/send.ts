// Sends the mail items that arrive on the table stream through SES v2. Records are sent in stream
// order and the first failure stops the batch: it and every later record come again (Lambda retries
// from the reported sequence number), so a retry re-sends nothing that already went out.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import { openMailBody, type MailBody } from '../../libs/mail/entity.ts';

const mailRecord = z.object({
  tenantId: z.string(),
  mailId: z.string(),
  to: z.string().min(1),
  subject: z.string(),
  body: z.string(),
});
type MailRecord = Omit<z.infer<typeof mailRecord>, 'body'> & MailBody;

export interface MailSenderDeps {
  ses: SESv2Client;
  /** The deployment's verified sender, e.g. `Plinth <no-reply@example.com>`. */
  from: string;
  /** Opens the sealed bodies: the mail key. */
  box: Pick<SecretBox, 'open'>;
}

/** The mail of a stream image, its body opened; undefined when it cannot be sent. */
function readMail(item: Record<string, unknown>, box: MailSenderDeps['box']): MailRecord | undefined {
  const parsed = mailRecord.safeParse(item);
  if (!parsed.success) return undefined;
  const { body, ...mail } = parsed.data;
  try {
    return { ...mail, ...openMailBody(body, box) };
  } catch {
    return undefined;
  }
}

export interface SendBatchResult {
  response: DynamoDBBatchResponse;
  sent: number;
  /** The send that stopped the batch; it is retried with everything after it. */
  failure?: { tenantId: string; mailId: string; error: string };
  /** Mail items that cannot be sent (a writer's bug); retrying would not help, so they are skipped. */
  malformed: string[];
}

function sendCommand(mail: MailRecord, from: string): SendEmailCommand {
  const charset = 'UTF-8';
  return new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: [mail.to] },
    Content: {
      Simple: {
        Subject: { Data: mail.subject, Charset: charset },
        Body: {
          Text: { Data: mail.text, Charset: charset },
          ...(mail.html !== undefined ? { Html: { Data: mail.html, Charset: charset } } : {}),
        },
      },
    },
  });
}

export async function sendMailBatch(
  event: DynamoDBStreamEvent,
  deps: MailSenderDeps,
): Promise<SendBatchResult> {
  const result: SendBatchResult = { response: { batchItemFailures: [] }, sent: 0, malformed: [] };
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!image || !sequenceNumber || record.eventName !== 'INSERT') continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.__edb_e__ !== 'mail') continue;
    const mail = readMail(item, deps.box);
    if (!mail) {
      result.malformed.push(String(item.sk ?? sequenceNumber));
      continue;
    }
    try {
      await deps.ses.send(sendCommand(mail, deps.from));
      result.sent += 1;
    } catch (error) {
      result.response = { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      result.failure = {
        tenantId: mail.tenantId,
        mailId: mail.mailId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
      return result;
    }
  }
  return result;
}
