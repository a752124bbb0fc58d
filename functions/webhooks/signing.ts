// Standard Webhooks signing: the secret format (`whsec_` + base64) and the three headers every delivery
// carries. While a rotated-out secret is still valid, a delivery is signed with both.
import { createHmac, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { EndpointItem, EndpointSecret } from './entities.ts';

const secretPrefix = 'whsec_';

export function generateSigningSecret(): string {
  return `${secretPrefix}${randomBytes(24).toString('base64')}`;
}

/** The HMAC key of a `whsec_` secret: the bytes its base64 part encodes. */
function signingKey(secret: string): Buffer {
  if (!secret.startsWith(secretPrefix)) throw new Error('a signing secret must start with whsec_');
  const key = Buffer.from(secret.slice(secretPrefix.length), 'base64');
  if (key.length === 0) throw new Error('a signing secret must hold a base64 key after whsec_');
  return key;
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The Standard Webhooks headers of one attempt: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per
 * secret, space-separated, so a receiver holding either secret of a rotation can verify.
 */
export function signatureHeaders(input: {
  id: string;
  /** Epoch seconds of the attempt. */
  timestamp: number;
  body: string;
  secrets: readonly string[];
}): SignatureHeaders {
  if (input.secrets.length === 0) throw new Error('a delivery needs at least one signing secret');
  const signed = `${input.id}.${input.timestamp}.${input.body}`;
  const signatures = input.secrets.map(
    (secret) => `v1,${createHmac('sha256', signingKey(secret)).update(signed, 'utf8').digest('base64')}`,
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** The current secret and the rotated-out ones still valid at `now`, current first. */
export function liveSecrets(secrets: readonly EndpointSecret[], now: Date): EndpointSecret[] {
  const [current, ...previous] = secrets;
  if (!current) return [];
  return [
    current,
    ...previous.filter((s) => s.expiresAt !== undefined && Date.parse(s.expiresAt) > now.getTime()),
  ];
}

/** The plaintext secrets a delivery is signed with at `now`, current first. */
export function openSigningSecrets(
  endpoint: Pick<EndpointItem, 'secrets'>,
  box: SecretBox,
  now: Date,
): string[] {
  return liveSecrets(endpoint.secrets, now).map((s) => box.open(s.sealed));
}
