// Deployment keys as functions read them: by value on one machine, through Powertools Parameters
// with caching on AWS, a failed first fetch retried by the next load, a failed refresh survived.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyRings } from '../../../libs/config/key-ring.ts';
import { keyEnvSchema } from '../../../libs/config/keys.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor';
const key = 'k'.repeat(40);
const secrets = mockClient(SecretsManagerClient);
afterEach(() => secrets.reset());

function rings(env: NodeJS.ProcessEnv, maxAgeSeconds?: number) {
  const warnings: unknown[] = [];
  const created = createKeyRings(['cursor'], {
    region: 'us-east-1',
    env,
    secretsClient: new SecretsManagerClient({ region: 'us-east-1' }),
    logger: { warn: (message, extra) => warnings.push({ message, ...extra }) },
    ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
  });
  return { ring: created.cursor, warnings };
}

describe('a deployment key', () => {
  it('is the value given in the environment, with no fetch', async () => {
    const { ring } = rings({ CURSOR_KEYS: key });
    expect(await ring.load()).toEqual({ current: key });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('is fetched by ARN once, then served from the cache', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: key });
    const { ring } = rings({ CURSOR_KEYS_ARN: arn });
    expect(() => ring.keys()).toThrow(/not loaded/);
    await ring.load();
    await ring.load();
    expect(ring.keys()).toEqual({ current: key });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fails the load whose fetch failed, and the next load fetches again', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: key });
    const { ring } = rings({ CURSOR_KEYS_ARN: arn });
    await expect(ring.load()).rejects.toThrow();
    expect(await ring.load()).toEqual({ current: key });
  });

  it('picks up a rotated set once the cache has aged, and keeps the last set when a refresh fails', async () => {
    const rotated = JSON.stringify({ current: 'n'.repeat(40), previous: key });
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: key })
      .resolvesOnce({ SecretString: rotated })
      .rejects(new Error('throttled'));
    // No caching, so every load fetches.
    const { ring, warnings } = rings({ CURSOR_KEYS_ARN: arn }, 0);
    expect(await ring.load()).toEqual({ current: key });
    expect(await ring.load()).toEqual({ current: 'n'.repeat(40), previous: key });
    expect(await ring.load()).toEqual({ current: 'n'.repeat(40), previous: key });
    expect(warnings).toEqual([expect.objectContaining({ key: 'cursor' })]);
  });

  it('refuses a previous key for a key that does not rotate', () => {
    const set = JSON.stringify({ current: key, previous: 'o'.repeat(40) });
    expect(() =>
      createKeyRings(['webhookSecret'], { region: 'us-east-1', env: { WEBHOOK_SECRET_KEY: set } }),
    ).toThrow(/does not rotate/);
  });

  it('must be in the environment of a function that reads it, by value or by ARN', () => {
    const schema = keyEnvSchema('cursor', 'idempotency');
    expect(schema.safeParse({ CURSOR_KEYS: key, IDEMPOTENCY_KEYS_ARN: arn }).success).toBe(true);
    const missing = schema.safeParse({ CURSOR_KEYS: key });
    expect(missing.error?.issues.map((i) => i.message)).toEqual([
      'set IDEMPOTENCY_KEYS or IDEMPOTENCY_KEYS_ARN',
    ]);
  });
});
