// Encryption at rest of secrets Plinth must read back (webhook signing secrets, responses replayed
// by idempotency keys, mail bodies): AES-256-GCM under a deployment key, with a version prefix so
// the scheme can change without guessing what an old value is.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { acceptedKeys, keySetOf, minKeyLength, signingKey, type KeySource } from './key-set.ts';

export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed by this key or was altered. */
  open(sealed: string): string;
}

export const minSecretKeyLength = minKeyLength;
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

/**
 * A box over a key set that rotates: seals with the key set's signing key, opens what any accepted
 * key sealed. `keys` is read at every call, so a set loaded again takes effect at once.
 */
export function createKeySetBox(source: KeySource, clock: () => Date = () => new Date()): SecretBox {
  const keys = keySetOf(source);
  const boxes = new Map<string, SecretBox>();
  const boxOf = (key: string): SecretBox => {
    let box = boxes.get(key);
    if (!box) {
      box = createSecretBox(key);
      // Only the keys of the current and the previous set are ever in use.
      if (boxes.size > 4) boxes.clear();
      boxes.set(key, box);
    }
    return box;
  };
  return {
    seal(plaintext) {
      return boxOf(signingKey(keys(), clock())).seal(plaintext);
    },
    open(sealed) {
      let failure: unknown;
      for (const key of acceptedKeys(keys(), clock())) {
        try {
          return boxOf(key).open(sealed);
        } catch (error) {
          failure = error;
        }
      }
      throw failure instanceof Error ? failure : new Error('not a sealed value');
    },
  };
}
