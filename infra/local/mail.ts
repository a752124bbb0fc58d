// Amazon SES v2 on one machine: SendEmail (`POST /v2/email/outbound-emails`, REST-JSON, Simple
// content, the only kind Plinth sends) through AWS_ENDPOINT_URL_SESV2, into an outbox in the data dir instead of a mail
// server. Each message is summed up on the terminal with its links and codes, so a developer can
// follow an invitation; the API serves the outbox at `GET /local/mail`.
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import type { LocalLog } from './log.ts';
import {
  closeServer,
  listenOnLoopback,
  readJsonRequest,
  replyError,
  replyJson,
  ServiceError,
} from './service-http.ts';

export interface MailOptions {
  /** Every message is appended here as a JSON line and read back at the next start. */
  outboxFile: string;
  log: LocalLog;
  region: string;
  /**
   * Senders accepted, as SES accepts only verified identities: an address, or a domain that covers
   * every address in it. Empty accepts any sender. @default []
   */
  verifiedIdentities?: readonly string[];
  /** 0 picks a free port. @default 0 */
  port?: number;
}

export interface LocalMail {
  /** What AWS_ENDPOINT_URL_SESV2 points at. */
  endpoint: string;
  port: number;
  /** The outbox, newest first; `to` keeps the messages addressed (to, cc or bcc) to that address. */
  messages(filter?: { to?: string }): LocalMessage[];
  stop(): Promise<void>;
}

const localMessageSchema = z.object({
  messageId: z.string(),
  sentAt: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  replyTo: z.array(z.string()),
  subject: z.string(),
  text: z.string().optional(),
  html: z.string().optional(),
  /** Every http(s) link in the message, in order. */
  links: z.array(z.string()),
  /** Every 6-8 digit code in the text (outside links), in order. */
  codes: z.array(z.string()),
});
export type LocalMessage = z.infer<typeof localMessageSchema>;

const content = z.object({ Data: z.string(), Charset: z.string().optional() });
const addresses = z.array(z.string().min(1)).optional();
const sendEmailRequest = z.object({
  FromEmailAddress: z.string().min(1).optional(),
  Destination: z
    .object({ ToAddresses: addresses, CcAddresses: addresses, BccAddresses: addresses })
    .optional(),
  ReplyToAddresses: addresses,
  Content: z.object({
    Simple: z
      .object({
        Subject: content,
        Body: z.object({ Text: content.optional(), Html: content.optional() }),
      })
      .optional(),
    Raw: z.object({ Data: z.base64() }).optional(),
    Template: z.unknown().optional(),
  }),
});

/** SES refuses a message with more recipients than this. */
const maxRecipients = 50;
const maxRequestBytes = 40 * 1024 * 1024;

/** `Plinth <no-reply@example.com>` → `no-reply@example.com`. */
export function addressOf(mailbox: string): string {
  const angled = /<([^>]*)>/.exec(mailbox);
  return (angled ? angled[1]! : mailbox).trim().toLowerCase();
}

const linkPattern = /https?:\/\/[^\s<>"'`)\]]+/g;

/** The links and one-time codes a developer looks for in a message. */
export function linksAndCodes(text: string): { links: string[]; codes: string[] } {
  const links = [...text.matchAll(linkPattern)].map((m) => m[0].replace(/[.,;:!?]+$/, ''));
  const withoutLinks = text.replace(linkPattern, ' ');
  const codes = [...withoutLinks.matchAll(/\b\d{6,8}\b/g)].map((m) => m[0]);
  return { links: [...new Set(links)], codes: [...new Set(codes)] };
}

/** One terminal line: recipients, subject, then what to click or type. */
export function mailSummary(message: LocalMessage): string {
  const extras = [...message.links, ...message.codes.map((code) => `code ${code}`)];
  return `mail to ${message.to.join(', ')}: "${message.subject}"${extras.length ? ` ${extras.join(' ')}` : ''}`;
}

function readOutbox(file: string, log: LocalLog): LocalMessage[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const messages: LocalMessage[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      messages.push(localMessageSchema.parse(JSON.parse(line)));
    } catch {
      log.warn(`${file}: a line that is not a stored message was skipped`);
    }
  }
  return messages;
}

export async function startMail(options: MailOptions): Promise<LocalMail> {
  const { log } = options;
  const stored = readOutbox(options.outboxFile, log);
  const identities = (options.verifiedIdentities ?? []).map((identity) => addressOf(identity));

  function checkSender(from: string): void {
    if (identities.length === 0) return;
    const address = addressOf(from);
    const domain = address.split('@').at(-1);
    if (identities.includes(address) || identities.includes(domain ?? '')) return;
    throw new ServiceError(
      'MessageRejected',
      `Email address is not verified. The following identities failed the check in region ${options.region.toUpperCase()}: ${address}`,
    );
  }

  function compose(body: unknown): LocalMessage {
    const parsed = sendEmailRequest.safeParse(body);
    if (!parsed.success) {
      throw new ServiceError('BadRequestException', z.prettifyError(parsed.error).replace(/\n/g, ' '));
    }
    const request = parsed.data;
    const { Simple, Raw, Template } = request.Content;
    if ([Simple, Raw, Template].filter((c) => c !== undefined).length !== 1) {
      throw new ServiceError(
        'BadRequestException',
        'Content must have exactly one of Simple, Raw or Template.',
      );
    }
    // Plinth sends Simple content only; the outbox reads nothing it would not send.
    if (Simple === undefined) {
      throw new ServiceError(
        'BadRequestException',
        `${Raw ? 'Raw' : 'Template'} content is not supported locally; send Simple content.`,
      );
    }
    const destination = request.Destination;
    const to = destination?.ToAddresses ?? [];
    const cc = destination?.CcAddresses ?? [];
    const bcc = destination?.BccAddresses ?? [];
    const recipients = to.length + cc.length + bcc.length;
    if (recipients === 0) throw new ServiceError('BadRequestException', 'Missing final recipients.');
    if (recipients > maxRecipients) {
      throw new ServiceError('BadRequestException', `Recipient count exceeds ${maxRecipients}.`);
    }
    const from = request.FromEmailAddress;
    if (!from) throw new ServiceError('BadRequestException', 'Missing required parameter FromEmailAddress.');
    checkSender(from);
    const text = Simple.Body.Text?.Data;
    const html = Simple.Body.Html?.Data;
    if (text === undefined && html === undefined) {
      throw new ServiceError('BadRequestException', 'The message has neither a text nor an HTML body.');
    }
    const sentAt = new Date();
    return {
      messageId: `${sentAt.getTime().toString(16).padStart(16, '0')}-${randomUUID()}-000000`,
      sentAt: sentAt.toISOString(),
      from,
      to,
      cc,
      bcc,
      replyTo: request.ReplyToAddresses ?? [],
      subject: Simple.Subject.Data,
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      ...linksAndCodes(text ?? html ?? ''),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'POST' || path !== '/v2/email/outbound-emails') {
        throw new ServiceError(
          'NotFoundException',
          `${req.method} ${path} is not supported by the local mail outbox; only SendEmail is.`,
          404,
        );
      }
      const message = compose(await readJsonRequest(req, maxRequestBytes));
      appendFileSync(options.outboxFile, `${JSON.stringify(message)}\n`, { mode: 0o600 });
      stored.push(message);
      log.info(mailSummary(message));
      replyJson(res, 200, { MessageId: message.messageId });
    } catch (error) {
      req.resume();
      replyError(res, error, {
        messageField: 'message',
        onInternal: (e) => log.error('the local mail outbox failed a request', e),
      });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  const port = await listenOnLoopback(server, options.port ?? 0);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    messages(filter = {}) {
      const wanted = filter.to === undefined ? undefined : addressOf(filter.to);
      return stored
        .filter(
          (m) => wanted === undefined || [...m.to, ...m.cc, ...m.bcc].some((a) => addressOf(a) === wanted),
        )
        .reverse();
    },
    stop: () => closeServer(server),
  };
}
