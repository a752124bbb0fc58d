// Signing secrets at rest: sealed with AES-256-GCM, opened only with the same key and unaltered.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { resolveWebhookSecretKey } from '../../../functions/webhooks/secret-key.ts';

const key = 'k'.repeat(32);

describe('secret box', () => {
  it('opens what it sealed, and never seals the same value twice the same way', () => {
    const box = createSecretBox(key);

    const a = box.seal('whsec_abc');
    const b = box.seal('whsec_abc');

    expect(a).toMatch(/^v1\./);
    expect(a).not.toContain('whsec_abc');
    expect(a).not.toBe(b);
    expect(box.open(a)).toBe('whsec_abc');
    expect(box.open(b)).toBe('whsec_abc');
  });

  it('refuses a value sealed under another key or altered', () => {
    const sealed = createSecretBox(key).seal('whsec_abc');
    const [version, iv, ciphertext, tag] = sealed.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;

    expect(() => createSecretBox('o'.repeat(32)).open(sealed)).toThrow();
    expect(() =>
      createSecretBox(key).open([version, iv, flipped.toString('base64url'), tag].join('.')),
    ).toThrow();
    expect(() => createSecretBox(key).open('whsec_abc')).toThrow(/not a sealed/);
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => createSecretBox('short')).toThrow(/at least 32/);
  });

  it('takes the key as given, or fetches it once from Secrets Manager by ARN', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 's'.repeat(40) });
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    const keyArn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webhook-key';

    expect(await resolveWebhookSecretKey({ key, region: 'us-east-1' }, client)).toBe(key);
    expect(await resolveWebhookSecretKey({ keyArn, region: 'us-east-1' }, client)).toBe('s'.repeat(40));
    expect(await resolveWebhookSecretKey({ keyArn, region: 'us-east-1' }, client)).toBe('s'.repeat(40));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await expect(resolveWebhookSecretKey({ region: 'us-east-1' }, client)).rejects.toThrow(
      /WEBHOOK_SECRET_KEY/,
    );
    secrets.restore();
  });
});
