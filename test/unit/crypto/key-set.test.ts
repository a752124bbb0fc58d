// Key sets as stored in a secret: parsed strictly, and read at a moment to say which key signs and
// which keys are accepted.
import { describe, expect, it } from 'vitest';
import { acceptedKeys, parseKeySet, signingKey } from '../../../libs/crypto/key-set.ts';

const oldKey = 'o'.repeat(40);
const newKey = 'n'.repeat(40);

describe('key sets', () => {
  it('read a bare key as a set of one', () => {
    expect(parseKeySet(newKey)).toEqual({ current: newKey });
  });

  it('read a rotated set from JSON', () => {
    const set = parseKeySet(
      JSON.stringify({
        current: newKey,
        currentFrom: '2026-12-01T00:10:00Z',
        previous: oldKey,
        previousUntil: '2026-12-08T00:00:00Z',
      }),
    );
    expect(set).toEqual({
      current: newKey,
      currentFrom: new Date('2026-12-01T00:10:00Z'),
      previous: oldKey,
      previousUntil: new Date('2026-12-08T00:00:00Z'),
    });
  });

  it('refuse short keys, unknown fields and a grace without a previous key, naming no key', () => {
    for (const bad of [
      'short',
      JSON.stringify({ current: newKey, previous: 'short' }),
      JSON.stringify({ current: newKey, next: oldKey }),
      JSON.stringify({ current: newKey, previousUntil: '2026-12-08T00:00:00Z' }),
      '{not json',
    ]) {
      expect(() => parseKeySet(bad), bad).toThrow(/^not a key set/);
      try {
        parseKeySet(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain(oldKey);
      }
    }
  });

  it('sign with the previous key until the current one is in use, then with the current one', () => {
    const set = parseKeySet(
      JSON.stringify({ current: newKey, currentFrom: '2026-12-01T00:10:00Z', previous: oldKey }),
    );
    expect(signingKey(set, new Date('2026-12-01T00:09:59Z'))).toBe(oldKey);
    expect(signingKey(set, new Date('2026-12-01T00:10:00Z'))).toBe(newKey);
  });

  it('accept the previous key only until the grace ends', () => {
    const set = parseKeySet(
      JSON.stringify({ current: newKey, previous: oldKey, previousUntil: '2026-12-08T00:00:00Z' }),
    );
    expect(acceptedKeys(set, new Date('2026-12-07T23:59:59Z'))).toEqual([newKey, oldKey]);
    expect(acceptedKeys(set, new Date('2026-12-08T00:00:00Z'))).toEqual([newKey]);
    // Past the grace, nothing new is signed with it either, whatever `currentFrom` says.
    expect(
      signingKey({ ...set, currentFrom: new Date('2026-12-09T00:00:00Z') }, new Date('2026-12-08T12:00:00Z')),
    ).toBe(newKey);
  });
});
