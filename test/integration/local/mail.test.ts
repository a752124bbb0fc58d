// The local SES v2 outbox through the SDK's own SESv2Client over HTTP, and the API's `GET /local/mail`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadRequestException,
  MessageRejected,
  SendEmailCommand,
  type SendEmailCommandInput,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { startApiGateway, type ApiGateway } from '../../../infra/local/api-gateway.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import type { LocalLog } from '../../../infra/local/log.ts';
import { startMail, type LocalMail } from '../../../infra/local/mail.ts';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sender = 'Plinth <no-reply@example.com>';
const dataDir = mkdtempSync(join(tmpdir(), 'plinth-mail-'));
const printed: string[] = [];
const log: LocalLog = { info: (m) => void printed.push(m), warn: () => {}, error: () => {} };

let mail: LocalMail;
let client: SESv2Client;
let gateway: ApiGateway;

const startOutbox = () =>
  startMail({ outboxFile: join(dataDir, 'mail.log'), region, verifiedIdentities: [sender], log });

beforeAll(async () => {
  mail = await startOutbox();
  client = new SESv2Client({ endpoint: mail.endpoint, region, credentials });
  gateway = await startApiGateway({
    contexts: [],
    authorizer: { name: 'authorizer', entry: 'test/authorizer.ts', handler: 'handler', access: {} },
    functions: createFunctionHost({ region, namePrefix: 'test', load: () => Promise.resolve({}) }),
    region,
    log,
    port: 0,
    localRoutes: [
      {
        method: 'GET',
        path: '/local/mail',
        answer: (query) => mail.messages({ to: query.get('to') ?? undefined }),
      },
    ],
  });
});

afterAll(async () => {
  client?.destroy();
  await gateway?.close();
  await mail?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function simple(to: string, subject: string, text: string): SendEmailCommandInput {
  return {
    FromEmailAddress: sender,
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: text } } } },
  };
}

describe('the local mail outbox', () => {
  it('keeps a simple message and prints one line with its recipient, subject and link', async () => {
    const sent = await client.send(
      new SendEmailCommand({
        ...simple(
          'ann@example.com',
          'You are invited',
          'Accept at https://app.example.com/accept?token=pit_abc',
        ),
        Content: {
          Simple: {
            Subject: { Data: 'You are invited' },
            Body: {
              Text: { Data: 'Accept at https://app.example.com/accept?token=pit_abc' },
              Html: { Data: '<a href="https://app.example.com/accept?token=pit_abc">Accept</a>' },
            },
          },
        },
      }),
    );

    expect(sent.MessageId).toBeTruthy();
    expect(mail.messages()[0]).toMatchObject({
      messageId: sent.MessageId,
      from: sender,
      to: ['ann@example.com'],
      subject: 'You are invited',
      html: '<a href="https://app.example.com/accept?token=pit_abc">Accept</a>',
      links: ['https://app.example.com/accept?token=pit_abc'],
    });
    expect(printed.at(-1)).toBe(
      'mail to ann@example.com: "You are invited" https://app.example.com/accept?token=pit_abc',
    );
  });

  it('refuses Raw content, which Plinth never sends, with BadRequestException', async () => {
    const raw = [`From: ${sender}`, 'To: bob@example.com', 'Subject: Hi', '', 'Hello.'].join('\r\n');
    const before = mail.messages().length;
    const refusal = await client
      .send(new SendEmailCommand({ Content: { Raw: { Data: Buffer.from(raw) } } }))
      .catch((e: unknown) => e);
    expect(refusal).toMatchObject({ name: 'BadRequestException' });
    expect(mail.messages()).toHaveLength(before);
  });

  it('refuses a sender that is not the verified identity with MessageRejected', async () => {
    const input = { ...simple('ann@example.com', 'Hi', 'Hi'), FromEmailAddress: 'someone@elsewhere.com' };
    const refusal = await client.send(new SendEmailCommand(input)).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(MessageRejected);
    expect((refusal as Error).message).toMatch(/not verified.*someone@elsewhere\.com/);
  });

  it('refuses a message without recipients or body with BadRequestException', async () => {
    const noRecipients = { ...simple('ann@example.com', 'Hi', 'Hi'), Destination: { ToAddresses: [] } };
    const noBody: SendEmailCommandInput = {
      ...simple('ann@example.com', 'Hi', 'Hi'),
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: {} } },
    };
    for (const input of [noRecipients, noBody]) {
      await expect(client.send(new SendEmailCommand(input))).rejects.toBeInstanceOf(BadRequestException);
    }
  });

  it('serves the outbox at GET /local/mail, newest first, filtered by recipient, without a credential', async () => {
    await client.send(new SendEmailCommand(simple('carol@example.com', 'First', 'one')));
    await client.send(new SendEmailCommand(simple('Carol@Example.com', 'Second', 'two')));

    const all = (await (await fetch(`${gateway.url}/local/mail`)).json()) as Array<{ subject: string }>;
    const response = await fetch(`${gateway.url}/local/mail?to=carol@example.com`);
    const carols = (await response.json()) as Array<{ subject: string }>;

    expect(response.status).toBe(200);
    expect(all.slice(0, 2).map((m) => m.subject)).toEqual(['Second', 'First']);
    expect(carols.map((m) => m.subject)).toEqual(['Second', 'First']);
  });

  it('keeps the outbox across a restart', async () => {
    const before = mail.messages();
    await mail.stop();

    mail = await startOutbox();

    expect(mail.messages()).toEqual(before);
  });
});
