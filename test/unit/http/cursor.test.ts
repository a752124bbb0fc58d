import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import { createCursorCodec, resolveCursorSecret } from '../../../libs/http/cursor.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { functionEnv } from '../../support/function-env.ts';

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

  it('need a secret of at least 32 characters', () => {
    expect(() => createCursorCodec('short')).toThrow('cursor secret must be at least 32 characters, got 5');
  });
});

describe('the cursor secret', () => {
  it('is CURSOR_SECRET when it is given', async () => {
    const config = loadRuntimeConfig(functionEnv());
    await expect(resolveCursorSecret(config)).resolves.toBe(config.cursorSecret);
  });

  it('is fetched from Secrets Manager once per container when only its ARN is given', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'fetched-secret-0123456789abcdef0123456789' });
    const env = functionEnv({
      CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor-once',
    });
    delete env.CURSOR_SECRET;
    const config = loadRuntimeConfig(env);
    const client = new SecretsManagerClient({ region: 'us-east-1' });

    expect(await resolveCursorSecret(config, client)).toBe('fetched-secret-0123456789abcdef0123456789');
    expect(await resolveCursorSecret(config, client)).toBe('fetched-secret-0123456789abcdef0123456789');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    secrets.restore();
  });

  it('is fetched again after a failed fetch', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: 'second-try-secret-0123456789abcdef012345' });
    const env = functionEnv({
      CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor-retry',
    });
    delete env.CURSOR_SECRET;
    const config = loadRuntimeConfig(env);
    const client = new SecretsManagerClient({ region: 'us-east-1' });

    await expect(resolveCursorSecret(config, client)).rejects.toThrow('throttled');
    await expect(resolveCursorSecret(config, client)).resolves.toBe(
      'second-try-secret-0123456789abcdef012345',
    );
    secrets.restore();
  });

  it('is a start-up error when neither is set', async () => {
    const env = functionEnv();
    delete env.CURSOR_SECRET;
    await expect(resolveCursorSecret(loadRuntimeConfig(env))).rejects.toThrow(
      'set CURSOR_SECRET or CURSOR_SECRET_ARN',
    );
  });
});
