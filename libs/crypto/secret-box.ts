// Encryption at rest of secrets Plinth must read back (webhook signing secrets, responses replayed
// by idempotency keys): AES-256-GCM under a deployment key, with a version prefix so the scheme can
// change without guessing what an old value is.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed by this key or was altered. */
  open(sealed: string): string;
}

export const minSecretKeyLength = 32;
const version = 'v1';

export function createSecretBox(key: string): SecretBox {
  if (key.length < minSecretKeyLength) {
    throw new Error(`a secret box key must be at least ${minSecretKeyLength} characters, got ${key.length}`);
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
        throw new Error('not a sealed value');
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
