// API key format, generation and verification. A key names its kind and owner, so the authorizer
// finds its record with one read: `plt_<tenant>_<key>_<secret>` (tenant) or `plp_<key>_<secret>` (platform).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ulid } from 'ulid';

const ulidPattern = '[0-9A-HJKMNP-TV-Z]{26}';
const secretPattern = '[A-Za-z0-9_-]{43}';
const tenantKey = new RegExp(`^plt_(${ulidPattern})_(${ulidPattern})_(${secretPattern})$`);
const platformKey = new RegExp(`^plp_(${ulidPattern})_(${secretPattern})$`);

export type ParsedApiKey =
  | { kind: 'tenant'; tenantId: string; keyId: string; secret: string }
  | { kind: 'platform'; keyId: string; secret: string };

export interface GeneratedApiKey {
  keyId: string;
  /** The whole key, given to the caller once. */
  key: string;
  secretHash: string;
  /** Enough of the key to recognise it in a list, not enough to use it. */
  prefix: string;
}

/**
 * SHA-256 is enough here: the secret is 256 random bits, so there is nothing to brute-force; a slow
 * password hash would only slow down every authorized call.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret));
  const expected = Buffer.from(expectedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function generateApiKey(
  owner: { kind: 'tenant'; tenantId: string } | { kind: 'platform' },
): GeneratedApiKey {
  const id = ulid();
  const secret = randomBytes(32).toString('base64url');
  const key =
    owner.kind === 'tenant'
      ? `plt_${owner.tenantId.replace(/^ten_/, '')}_${id}_${secret}`
      : `plp_${id}_${secret}`;
  return {
    keyId: `key_${id}`,
    key,
    secretHash: hashSecret(secret),
    prefix: `${key.slice(0, 4)}…${key.slice(-4)}`,
  };
}

export function parseApiKey(token: string): ParsedApiKey | undefined {
  const t = tenantKey.exec(token);
  if (t) return { kind: 'tenant', tenantId: `ten_${t[1]}`, keyId: `key_${t[2]}`, secret: t[3] as string };
  const p = platformKey.exec(token);
  if (p) return { kind: 'platform', keyId: `key_${p[1]}`, secret: p[2] as string };
  return undefined;
}
