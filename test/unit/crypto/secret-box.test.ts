// Signing secrets at rest: sealed with AES-256-GCM, opened only with the same key and unaltered.
import { describe, expect, it } from 'vitest';
import { createKeySetBox, createSecretBox } from '../../../libs/crypto/secret-box.ts';

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
});

describe('secret box over a key set', () => {
  const oldKey = 'o'.repeat(40);
  const newKey = 'n'.repeat(40);
  const rotated = {
    current: newKey,
    previous: oldKey,
    previousUntil: new Date('2026-12-08T00:00:00Z'),
  };
  const at = (iso: string) => () => new Date(iso);

  it('seals with the current key and opens what the previous key sealed until the grace ends', () => {
    const sealedBefore = createSecretBox(oldKey).seal('kept response');
    const box = createKeySetBox(rotated, at('2026-12-07T00:00:00Z'));
    expect(box.open(sealedBefore)).toBe('kept response');
    expect(createSecretBox(newKey).open(box.seal('new response'))).toBe('new response');
    expect(() => createKeySetBox(rotated, at('2026-12-08T00:00:00Z')).open(sealedBefore)).toThrow();
  });
});
