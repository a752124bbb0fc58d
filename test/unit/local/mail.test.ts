import { describe, expect, it } from 'vitest';
import { addressOf, linksAndCodes, mailSummary, type LocalMessage } from '../../../infra/local/mail.ts';

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
