// Sends the mail items that arrive on the table stream through SES v2. Records are sent in stream
// order and the first failure stops the batch: it and every later record come again (Lambda retries
// from the reported sequence number), so a retry re-sends nothing that already went out.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';

const mailRecord = z.object({
  tenantId: z.string(),
  mailId: z.string(),
  to: z.string().min(1),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
});
type MailRecord = z.infer<typeof mailRecord>;

export interface MailSenderDeps {
  ses: SESv2Client;
  /** The deployment's verified sender, e.g. `Plinth <no-reply@example.com>`. */
  from: string;
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
    const parsed = mailRecord.safeParse(item);
    if (!parsed.success) {
      result.malformed.push(String(item.sk ?? sequenceNumber));
      continue;
    }
    const mail = parsed.data;
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
