// Standard Webhooks signing, checked with the `standardwebhooks` library rather than our own code.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSigningSecret, signatureHeaders } from '../../../functions/webhooks/signing.ts';

const body = JSON.stringify({
  type: 'tenant.updated',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id: 'x' },
});
const now = () => Math.floor(Date.now() / 1000);

describe('webhook signing', () => {
  it('a generated secret is whsec_ followed by 24 random bytes in base64', () => {
    const secret = generateSigningSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateSigningSecret()).not.toBe(secret);
  });

  it('the standardwebhooks library verifies the headers and returns the payload', () => {
    const secret = generateSigningSecret();
    const headers = signatureHeaders({ id: 'msg_01JD', timestamp: now(), body, secrets: [secret] });

    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe('msg_01JD');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('during a rotation both the new and the old secret verify the same delivery', () => {
    const current = generateSigningSecret();
    const previous = generateSigningSecret();
    const headers = signatureHeaders({
      id: 'msg_01JD',
      timestamp: now(),
      body,
      secrets: [current, previous],
    });

    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('a changed body, another secret or another id does not verify', () => {
    const secret = generateSigningSecret();
    const headers = signatureHeaders({ id: 'msg_01JD', timestamp: now(), body, secrets: [secret] });

    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(body, { ...headers })).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
  });

  it('refuses a secret without the whsec_ prefix and a delivery without secrets', () => {
    expect(() => signatureHeaders({ id: 'm', timestamp: 1, body, secrets: ['plain'] })).toThrow(/whsec_/);
    expect(() => signatureHeaders({ id: 'm', timestamp: 1, body, secrets: [] })).toThrow(/at least one/);
  });
});
