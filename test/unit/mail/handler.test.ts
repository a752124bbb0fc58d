// The mail stream consumer with SES mocked: what is sent, in which order, and what is retried.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mailItem } from '../../../libs/mail/entity.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import { testMailBox } from '../../support/mail.ts';
import { lambdaContext } from '../http/api-events.ts';

const ses = mockClient(SESv2Client);
let send: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
const from = 'Plinth <no-reply@plinth.test>';

beforeAll(async () => {
  useFunctionEnv({ MAIL_FROM: from });
  ({ send } = await import('../../../functions/mail/handler.ts'));
});

beforeEach(() => ses.reset());

type StreamImage = NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];

let sequence = 100;

function record(
  item: Record<string, unknown>,
  eventName: DynamoDBRecord['eventName'] = 'INSERT',
): DynamoDBRecord {
  sequence += 1;
  return {
    eventName,
    dynamodb: {
      SequenceNumber: String(sequence),
      NewImage: marshall(item, { removeUndefinedValues: true }) as StreamImage,
    },
  };
}

function mailRecord(to: string, extra: { html?: string } = {}): DynamoDBRecord {
  const item = mailItem(
    { tenantId: 'ten_1', to, subject: `to ${to}`, text: 'hello', ...extra },
    new Date(),
    testMailBox,
  );
  return record({ pk: 'T#ten_1', sk: `MAIL#${item.mailId}`, __edb_e__: 'mail', __edb_v__: '1', ...item });
}

const sentTo = () =>
  ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);

describe('mail stream consumer', () => {
  it('sends each new mail item from the deployment sender, text and html, and nothing else', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });

    const result = await send(
      {
        Records: [
          mailRecord('a@example.com', { html: '<p>hello</p>' }),
          record({ __edb_e__: 'event', type: 'x' }),
          mailRecord('b@example.com'),
          { ...mailRecord('c@example.com'), eventName: 'MODIFY' },
        ],
      },
      lambdaContext(),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(sentTo()).toEqual(['a@example.com', 'b@example.com']);
    const first = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(first.FromEmailAddress).toBe(from);
    expect(first.Content?.Simple?.Subject?.Data).toBe('to a@example.com');
    expect(first.Content?.Simple?.Body?.Text?.Data).toBe('hello');
    expect(first.Content?.Simple?.Body?.Html?.Data).toBe('<p>hello</p>');
    expect(ses.commandCalls(SendEmailCommand)[1]!.args[0].input.Content?.Simple?.Body?.Html).toBeUndefined();
  });

  it('a failed send stops the batch and reports its record, so it and the later ones are retried', async () => {
    const failing = mailRecord('fails@example.com');
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: ['fails@example.com'] } })
      .rejects(Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' }));

    const result = await send(
      { Records: [mailRecord('ok@example.com'), failing, mailRecord('later@example.com')] },
      lambdaContext(),
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: failing.dynamodb!.SequenceNumber }]);
    expect(sentTo()).toEqual(['ok@example.com', 'fails@example.com']);
  });

  it('skips a mail item that cannot be sent instead of retrying it forever', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });

    const result = await send(
      {
        Records: [
          record({ __edb_e__: 'mail', sk: 'MAIL#bad', tenantId: 't' }),
          mailRecord('fine@example.com'),
        ],
      },
      lambdaContext(),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(sentTo()).toEqual(['fine@example.com']);
  });

  it('sends only bodies sealed with the mail key, never one sealed with another key or in plain text', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const forged = mailItem(
      { tenantId: 'ten_1', to: 'forged@example.com', subject: 's', text: 'pay here' },
      new Date(),
      createSecretBox('another-key-that-is-not-the-mail-key-0123'),
    );
    const plain = { ...forged, to: 'plain@example.com', body: JSON.stringify({ text: 'pay here' }) };

    const result = await send(
      {
        Records: [
          record({ pk: 'T#ten_1', sk: 'MAIL#forged', __edb_e__: 'mail', ...forged }),
          record({ pk: 'T#ten_1', sk: 'MAIL#plain', __edb_e__: 'mail', ...plain }),
          mailRecord('fine@example.com'),
        ],
      },
      lambdaContext(),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(sentTo()).toEqual(['fine@example.com']);
  });
});
