// The text of Plinth's email: links into the console, the raw token on its own line, escaped HTML.
import { describe, expect, it } from 'vitest';
import { consoleUrlOf, localConsoleUrl } from '../../../libs/mail/console.ts';
import { mailItem } from '../../../libs/mail/entity.ts';
import { mailBodyOf, testMailBox } from '../../support/mail.ts';
import {
  emailVerificationMessage,
  endpointDisabledMessage,
  invitationMessage,
} from '../../../libs/mail/templates.ts';

const token = `pit_${'a'.repeat(40)}-_Z`;

describe('console links', () => {
  it("point at the deployment's console over https, or the local console", () => {
    expect(consoleUrlOf({ domain: { api: 'api.example.com', console: 'console.example.com' } })).toBe(
      'https://console.example.com',
    );
    expect(consoleUrlOf({ domain: { api: 'api.example.com' } })).toBe(localConsoleUrl);
    expect(consoleUrlOf({})).toBe('http://localhost:5173');
  });
});

describe('invitation message', () => {
  const message = invitationMessage({
    tenantName: 'Acme <Labs>',
    inviterName: 'Grace',
    inviteeName: 'Ada',
    roles: ['admin', 'billing'],
    consoleUrl: 'https://console.example.com',
    token,
    expiresAt: '2026-03-08T10:00:00.000Z',
  });

  it('links to the console accept page and puts the token alone on a line for API users', () => {
    const lines = message.text.split('\n');

    expect(lines).toContain(`https://console.example.com/accept?token=${token}`);
    expect(lines).toContain(token);
    expect(message.text).toContain(
      'Grace invited you to join Acme <Labs> on Plinth (roles: admin, billing).',
    );
    expect(message.text).toContain('2026-03-08 10:00 UTC');
    expect(message.subject).toBe('You are invited to join Acme <Labs> on Plinth');
  });

  it('escapes every value in the HTML body', () => {
    expect(message.html).toContain('Acme &lt;Labs&gt;');
    expect(message.html).not.toContain('<Labs>');
    expect(message.html).toContain(`href="https://console.example.com/accept?token=${token}"`);
  });

  it('says who invited only when a person did', () => {
    const byKey = invitationMessage({
      tenantName: 'Acme',
      roles: ['member'],
      consoleUrl: 'http://localhost:5173',
      token,
      expiresAt: '2026-03-08T10:00:00.000Z',
    });

    expect(byKey.text).toMatch(/^Hello,\n\nYou have been invited to join Acme on Plinth/);
  });
});

describe('other messages', () => {
  it('the verification code stands alone on a line, with how long it is valid', () => {
    const message = emailVerificationMessage({
      tenantName: 'Acme',
      email: 'new@example.com',
      code: '042424',
      validMinutes: 15,
    });

    expect(message.text.split('\n')).toContain('042424');
    expect(message.text).toContain('15 minutes');
  });

  it('the endpoint notice names the endpoint, since when it failed, and where to enable it', () => {
    const message = endpointDisabledMessage({
      tenantName: 'Acme',
      endpointId: 'wh_1',
      url: 'https://hooks.example.com/in',
      failingSince: '2026-02-01T08:30:00.000Z',
      consoleUrl: 'https://console.example.com',
    });

    expect(message.subject).toBe('Webhook endpoint disabled: https://hooks.example.com/in');
    expect(message.text).toContain('every delivery to it failed since 2026-02-01 08:30 UTC');
    expect(message.text).toContain('https://console.example.com/webhooks');
  });
});

describe('mail items', () => {
  it('expire a day after they are written and get a fresh id unless one is given', () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    const a = mailItem({ tenantId: 't', to: 'a@example.com', subject: 's', text: 'x' }, now, testMailBox);
    const b = mailItem(
      { tenantId: 't', to: 'a@example.com', subject: 's', text: 'x', mailId: 'ev-1-u-1' },
      now,
      testMailBox,
    );

    expect(a.expiresAt).toBe(now.getTime() / 1000 + 86_400);
    expect(a.mailId).toMatch(/^[0-9A-Z]{26}$/);
    expect(b.mailId).toBe('ev-1-u-1');
    expect(mailBodyOf(a)).toEqual({ text: 'x' });
  });
});
