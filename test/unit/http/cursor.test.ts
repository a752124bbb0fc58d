import { describe, expect, it } from 'vitest';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { Problem } from '../../../libs/http/problem.ts';

const secret = 'cursor-secret-for-unit-tests-0123456789abcdef';
const codec = createCursorCodec(secret);
const scopeA = 'tenant:ten_A:api-keys';
const scopeB = 'tenant:ten_B:api-keys';

function invalidCursorOf(run: () => unknown): Problem {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('the cursor was accepted');
}

describe('pagination cursors', () => {
  it('give back the position they were made from, in the same scope', () => {
    const position = { pk: 'T#ten_A', sk: 'KEY#key_2', n: 2 };
    const cursor = codec.encode(scopeA, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode(scopeA, cursor)).toEqual(position);
  });

  it('refuse an altered payload with 400 invalid_cursor', () => {
    const cursor = codec.encode(scopeA, { sk: 'KEY#key_2' });
    const [, signature] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ sk: 'KEY#key_9' })).toString('base64url')}.${signature}`;
    const problem = invalidCursorOf(() => codec.decode(scopeA, forged));
    expect([problem.status, problem.code]).toEqual([400, 'invalid_cursor']);
  });

  it('refuse an altered signature, and anything that is not a cursor', () => {
    const cursor = codec.encode(scopeA, 'position');
    const flipped = cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [
      flipped,
      `${cursor}x`,
      cursor.split('.')[0]!,
      `${cursor}.extra`,
      '',
      '.',
      'not-a-cursor',
    ]) {
      expect(invalidCursorOf(() => codec.decode(scopeA, bad)).code, bad).toBe('invalid_cursor');
    }
  });

  it("refuse another tenant's cursor and another list's cursor", () => {
    const cursor = codec.encode(scopeA, 'position');
    expect(invalidCursorOf(() => codec.decode(scopeB, cursor)).code).toBe('invalid_cursor');
    expect(invalidCursorOf(() => codec.decode('tenant:ten_A:events', cursor)).code).toBe('invalid_cursor');
  });

  it('refuse a cursor signed with another key', () => {
    const other = createCursorCodec('another-secret-of-enough-length-0123456789');
    expect(invalidCursorOf(() => codec.decode(scopeA, other.encode(scopeA, 'position'))).code).toBe(
      'invalid_cursor',
    );
  });

  it('need a key of at least 32 characters', () => {
    expect(() => createCursorCodec('short')).toThrow('a key must be at least 32 characters');
  });
});

describe('cursors across a key rotation', () => {
  const oldKey = 'o'.repeat(40);
  const newKey = 'n'.repeat(40);
  const rotatedAt = new Date('2026-12-01T00:00:00Z');
  const graceEnds = new Date('2026-12-08T00:00:00Z');
  const at = (iso: string) => () => new Date(iso);
  const before = createCursorCodec(oldKey);
  const rotated = { current: newKey, previous: oldKey, currentFrom: rotatedAt, previousUntil: graceEnds };

  it('open a cursor issued with the previous key until the grace ends, and refuse it after', () => {
    const cursor = before.encode(scopeA, 'position');
    expect(createCursorCodec(rotated, at('2026-12-07T23:59:59Z')).decode(scopeA, cursor)).toBe('position');
    expect(
      invalidCursorOf(() => createCursorCodec(rotated, at('2026-12-08T00:00:00Z')).decode(scopeA, cursor))
        .code,
    ).toBe('invalid_cursor');
  });

  it('are issued with the current key once it is in use, and with the previous one before', () => {
    const early = createCursorCodec(rotated, at('2026-11-30T23:59:00Z')).encode(scopeA, 'position');
    const late = createCursorCodec(rotated, at('2026-12-01T00:01:00Z')).encode(scopeA, 'position');
    // A container that has not read the new set yet still opens what was issued before `currentFrom`.
    expect(before.decode(scopeA, early)).toBe('position');
    expect(invalidCursorOf(() => before.decode(scopeA, late)).code).toBe('invalid_cursor');
    expect(createCursorCodec(newKey).decode(scopeA, late)).toBe('position');
  });
});
