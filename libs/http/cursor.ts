// Pagination cursors a client can hold but not forge: the position in a list, signed together with
// a scope that names the caller and the list, so a cursor works only where it was issued.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RuntimeConfig } from '../config/runtime.ts';
import { Problem } from './problem.ts';

export interface CursorCodec {
  /** `scope` binds the cursor to one caller and one list, e.g. `tenant:<id>:api-keys`. */
  encode(scope: string, position: unknown): string;
  /** The position `encode` was given; throws a 400 `invalid_cursor` problem for any other cursor. */
  decode(scope: string, cursor: string): unknown;
}

export const minCursorSecretLength = 32;

const invalidCursor = () => new Problem(400, 'invalid_cursor', 'The cursor is not valid for this list.');

export function createCursorCodec(secret: string): CursorCodec {
  if (secret.length < minCursorSecretLength) {
    throw new Error(
      `cursor secret must be at least ${minCursorSecretLength} characters, got ${secret.length}`,
    );
  }
  // The NUL separator keeps scope and payload apart: scopes are ours and never contain it.
  const sign = (scope: string, payload: string) =>
    createHmac('sha256', secret).update(`${scope}\0${payload}`).digest('base64url');

  return {
    encode(scope, position) {
      const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
      return `${payload}.${sign(scope, payload)}`;
    },
    decode(scope, cursor) {
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw invalidCursor();
      const expected = Buffer.from(sign(scope, payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
      try {
        return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      } catch {
        throw invalidCursor();
      }
    },
  };
}

// One fetch per secret and container: the secret does not rotate (see the data stack).
const fetched = new Map<string, Promise<string>>();

/** CURSOR_SECRET as given (local), else the secret named by CURSOR_SECRET_ARN (AWS), fetched once. */
export async function resolveCursorSecret(
  config: RuntimeConfig,
  secretsClient?: SecretsManagerClient,
): Promise<string> {
  if (config.cursorSecret) return config.cursorSecret;
  const arn = config.cursorSecretArn;
  if (!arn) throw new Error('cursor secret missing: set CURSOR_SECRET or CURSOR_SECRET_ARN');
  let secret = fetched.get(arn);
  if (!secret) {
    const client = secretsClient ?? new SecretsManagerClient({ region: config.region });
    secret = client.send(new GetSecretValueCommand({ SecretId: arn })).then((result) => {
      if (!result.SecretString) throw new Error(`cursor secret ${arn} has no string value`);
      return result.SecretString;
    });
    fetched.set(arn, secret);
    // A failed fetch is not kept, so the next invocation tries again.
    secret.catch(() => fetched.delete(arn));
  }
  return secret;
}
