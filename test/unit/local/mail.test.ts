import { describe, expect, it } from 'vitest';
import { addressOf, linksAndCodes, mailSummary, type LocalMessage } from '../../../infra/local/mail.ts';
import { parseRawMail, splitAddressList } from '../../../infra/local/mail-mime.ts';

describe('what the terminal shows of a message', () => {
  it('finds every link, without trailing punctuation, and codes that are not part of a link', () => {
    const text =
      'Accept: https://app.example.com/accept?token=pit_123456789 (valid 7 days).\n' +
      'Your code is 482913. See http://localhost:4000/docs, or call 2026-03-01.';
    expect(linksAndCodes(text)).toEqual({
      links: ['https://app.example.com/accept?token=pit_123456789', 'http://localhost:4000/docs'],
      codes: ['482913'],
    });
  });

  it('sums a message up on one line with its recipients, subject, links and codes', () => {
    const message: LocalMessage = {
      messageId: 'm1',
      sentAt: '2026-03-01T10:00:00.000Z',
      from: 'Plinth <no-reply@example.com>',
      to: ['ann@example.com', 'bob@example.com'],
      cc: [],
      bcc: [],
      replyTo: [],
      subject: 'Confirm your email',
      text: 'x',
      links: ['https://example.com/verify'],
      codes: ['123456'],
    };
    const line = mailSummary(message);
    expect(line).toBe(
      'mail to ann@example.com, bob@example.com: "Confirm your email" https://example.com/verify code 123456',
    );
    expect(line).not.toContain('\n');
  });

  it('compares addresses without display names or case', () => {
    expect(addressOf('Plinth <No-Reply@Example.com>')).toBe('no-reply@example.com');
    expect(addressOf(' ann@example.com ')).toBe('ann@example.com');
  });
});

describe('reading a raw MIME message', () => {
  it('takes sender, recipients, an encoded subject and both bodies of a multipart/alternative message', () => {
    const raw = [
      'From: "Plinth, Inc." <no-reply@example.com>',
      'To: "Lee, Ann" <ann@example.com>, bob@example.com',
      'Cc: carol@example.com',
      'Subject: =?UTF-8?B?V2lsbGtvbW1lbiBiZWkgUGxpbnRo?= =?UTF-8?Q?_=E2=9C=93?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative;',
      ' boundary="b1"',
      '',
      'preamble',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=C3=BC=C3=9Fe: https://example.com/a=',
      'ccept?t=3D1',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p>Hallo <a href="https://example.com/accept">here</a></p>').toString('base64'),
      '--b1--',
      'epilogue',
    ].join('\r\n');

    expect(parseRawMail(Buffer.from(raw))).toEqual({
      from: '"Plinth, Inc." <no-reply@example.com>',
      to: ['"Lee, Ann" <ann@example.com>', 'bob@example.com'],
      cc: ['carol@example.com'],
      bcc: [],
      subject: 'Willkommen bei Plinth ✓',
      text: 'Grüße: https://example.com/accept?t=1',
      html: '<p>Hallo <a href="https://example.com/accept">here</a></p>',
    });
  });

  it('finds the text inside nested multiparts and skips attachments', () => {
    const raw = [
      'From: a@example.com',
      'To: b@example.com',
      'Subject: Report',
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'See attached.',
      '--inner--',
      '--outer',
      'Content-Type: text/plain; name=notes.txt',
      'Content-Disposition: attachment; filename=notes.txt',
      '',
      'not the body',
      '--outer--',
    ].join('\n');

    const parts = parseRawMail(Buffer.from(raw));
    expect(parts.text).toBe('See attached.');
    expect(parts.html).toBeUndefined();
  });

  it('reads a single-part message as its text body', () => {
    const parts = parseRawMail(Buffer.from('From: a@example.com\r\nTo: b@example.com\r\n\r\nHello.\r\n'));
    expect(parts).toMatchObject({ to: ['b@example.com'], text: 'Hello.\r\n', subject: undefined });
  });

  it('splits address lists only outside quotes and angle brackets', () => {
    expect(splitAddressList('"Doe, J" <j@x.io>, k@x.io ,, <l,m@x.io>')).toEqual([
      '"Doe, J" <j@x.io>',
      'k@x.io',
      '<l,m@x.io>',
    ]);
  });
});
