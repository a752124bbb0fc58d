// Encryption at rest of webhook signing secrets: AES-256-GCM under a deployment key, with a version
// prefix so the scheme can change without guessing what an old value is.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed by this key or was altered. */
  open(sealed: string): string;
}

export const minSecretKeyLength = 32;
const version = 'v1';

export function createSecretBox(key: string): SecretBox {
  if (key.length < minSecretKeyLength) {
    throw new Error(
      `webhook secret key must be at least ${minSecretKeyLength} characters, got ${key.length}`,
    );
  }
  const aesKey = createHash('sha256').update(key, 'utf8').digest();

  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [version, ...[iv, ciphertext, tag].map((part) => part.toString('base64url'))].join('.');
    },
    open(sealed) {
      const [v, iv, ciphertext, tag, ...rest] = sealed.split('.');
      if (v !== version || !iv || ciphertext === undefined || !tag || rest.length > 0) {
        throw new Error('not a sealed webhook secret');
      }
      const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

// One fetch per key and container; a failed fetch is forgotten so the next invocation tries again.
const fetched = new Map<string, Promise<string>>();

/** The key as given (local), else the Secrets Manager secret named by `keyArn` (AWS), fetched once. */
export async function resolveWebhookSecretKey(
  config: { key?: string | undefined; keyArn?: string | undefined; region: string },
  secretsClient?: SecretsManagerClient,
): Promise<string> {
  if (config.key) return config.key;
  const arn = config.keyArn;
  if (!arn) throw new Error('webhook secret key missing: set WEBHOOK_SECRET_KEY or WEBHOOK_SECRET_KEY_ARN');
  let key = fetched.get(arn);
  if (!key) {
    const client = secretsClient ?? new SecretsManagerClient({ region: config.region });
    key = client.send(new GetSecretValueCommand({ SecretId: arn })).then((result) => {
      if (!result.SecretString) throw new Error(`webhook secret key ${arn} has no string value`);
      return result.SecretString;
    });
    fetched.set(arn, key);
    key.catch(() => fetched.delete(arn));
  }
  return key;
}
