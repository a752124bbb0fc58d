// Pagination cursors a client can hold but not forge: the position in a list, signed together with
// a scope that names the caller and the list, so a cursor works only where it was issued.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { acceptedKeys, keySetOf, signingKey, type KeySource } from '../crypto/key-set.ts';
import { Problem } from './problem.ts';

export interface CursorCodec {
  /** `scope` binds the cursor to one caller and one list, e.g. `tenant:<id>:api-keys`. */
  encode(scope: string, position: unknown): string;
  /** The position `encode` was given; throws a 400 `invalid_cursor` problem for any other cursor. */
  decode(scope: string, cursor: string): unknown;
}

const invalidCursor = () => new Problem(400, 'invalid_cursor', 'The cursor is not valid for this list.');

/**
 * Signs with the key set's signing key and accepts any accepted key, so cursors issued before a
 * rotation keep working until the previous key's grace ends.
 */
export function createCursorCodec(source: KeySource, clock: () => Date = () => new Date()): CursorCodec {
  const keys = keySetOf(source);
  // The NUL separator keeps scope and payload apart: scopes are ours and never contain it.
  const sign = (key: string, scope: string, payload: string) =>
    createHmac('sha256', key).update(`${scope}\0${payload}`).digest('base64url');
  const signedBy = (key: string, scope: string, payload: string, signature: string) => {
    const expected = Buffer.from(sign(key, scope, payload));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  return {
    encode(scope, position) {
      const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
      return `${payload}.${sign(signingKey(keys(), clock()), scope, payload)}`;
    },
    decode(scope, cursor) {
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw invalidCursor();
      if (!acceptedKeys(keys(), clock()).some((key) => signedBy(key, scope, payload, signature))) {
        throw invalidCursor();
      }
      try {
        return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      } catch {
        throw invalidCursor();
      }
    },
  };
}
