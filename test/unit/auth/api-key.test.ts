import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from '../../../libs/auth/api-key.ts';

const tenantId = 'ten_01JD0000000000000000000000';

describe('API keys', () => {
  it('a tenant key names its tenant and key, and its secret matches only its own hash', () => {
    const generated = generateApiKey({ kind: 'tenant', tenantId });
    const parsed = parseApiKey(generated.key);

    expect(parsed).toMatchObject({ kind: 'tenant', tenantId, keyId: generated.keyId });
    expect(secretMatches(parsed!.secret, generated.secretHash)).toBe(true);
    expect(secretMatches(`${parsed!.secret.slice(0, -1)}x`, generated.secretHash)).toBe(false);
  });

  it('a platform key is told apart from a tenant key by its prefix', () => {
    const generated = generateApiKey({ kind: 'platform' });
    expect(generated.key.startsWith('plp_')).toBe(true);
    expect(parseApiKey(generated.key)).toMatchObject({ kind: 'platform', keyId: generated.keyId });
  });

  it('the stored hash and the listed prefix never reveal the secret', () => {
    const generated = generateApiKey({ kind: 'tenant', tenantId });
    const secret = parseApiKey(generated.key)!.secret;
    expect(generated.secretHash).toBe(hashSecret(secret));
    expect(generated.secretHash).not.toContain(secret);
    expect(generated.prefix.length).toBeLessThan(12);
  });

  it.each([
    '',
    'Bearer x',
    'plt_short',
    `plt_${'A'.repeat(26)}_${'B'.repeat(26)}_tooShort`,
    'eyJhbGciOi.fake.jwt',
  ])('rejects %j as not a Plinth key', (token) => {
    expect(parseApiKey(token)).toBeUndefined();
  });
});
