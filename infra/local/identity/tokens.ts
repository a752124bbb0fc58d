// Cognito's tokens on one machine: RS256 JWTs with Cognito's claims, signed with the pool's persisted
// key and verified through the JWKS it serves (as aws-jwt-verify does on AWS), claims changed by the
// Pre Token Generation V2 response, and opaque refresh tokens that are stored only as hashes.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { UserRecord } from './state.ts';

export const accessTokenSeconds = 3600;
export const refreshTokenMs = 30 * 24 * 3600 * 1000;
/** The scope Cognito gives tokens from its own API; its user operations require it. */
export const userAdminScope = 'aws.cognito.signin.user.admin';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function loadSigningKey(stored: { kid: string; privateKeyPem: string }): SigningKey {
  const privateKey = createPrivateKey(stored.privateKeyPem);
  return { kid: stored.kid, privateKey, publicKey: createPublicKey(privateKey) };
}

export function jwksOf(key: SigningKey): { keys: Array<Record<string, unknown>> } {
  return { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: 'RS256', use: 'sig' }] };
}

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const input = `${encodeJson({ kid: key.kid, alg: 'RS256' })}.${encodeJson(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The claims of a JWT this pool signed; undefined for anything else. */
export function readSignedJwt(key: SigningKey, token: string): Record<string, unknown> | undefined {
  const [header = '', payload = '', signature = '', ...rest] = token.split('.');
  if (rest.length > 0 || !signature) return undefined;
  const decodedHeader = decodeJson(header);
  if (decodedHeader?.kid !== key.kid || decodedHeader.alg !== 'RS256') return undefined;
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    key.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  return signed ? decodeJson(payload) : undefined;
}

export function newRefreshToken(): string {
  return randomBytes(48).toString('base64url');
}

/** Refresh tokens are 384 random bits, so a plain SHA-256 is enough to keep them unusable at rest. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface ClaimChanges {
  claimsToAddOrOverride: Record<string, unknown>;
  claimsToSuppress: string[];
}

/** What a Pre Token Generation V2 response asks to change. */
export interface TokenOverrides {
  access: ClaimChanges & { scopesToAdd: string[]; scopesToSuppress: string[] };
  id: ClaimChanges;
}

export const noOverrides: TokenOverrides = {
  access: { claimsToAddOrOverride: {}, claimsToSuppress: [], scopesToAdd: [], scopesToSuppress: [] },
  id: { claimsToAddOrOverride: {}, claimsToSuppress: [] },
};

/** Claims Cognito keeps for itself: a trigger can neither override nor suppress them. */
const reservedClaims = new Set([
  'acr',
  'amr',
  'at_hash',
  'aud',
  'auth_time',
  'azp',
  'client_id',
  'cognito:username',
  'event_id',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'scope',
  'sub',
  'token_use',
  'username',
]);

export interface TokenGrant {
  issuer: string;
  clientId: string;
  user: UserRecord;
  /** The same for every token of one sign-in, refreshed ones included. */
  originJti: string;
  authTime: number;
  nowSeconds: number;
  scopes: readonly string[];
  overrides: TokenOverrides;
  /** The `nonce` of a hosted sign-in's authorize request, echoed in the id token. */
  nonce?: string | undefined;
}

export interface IssuedTokens {
  accessToken: string;
  idToken: string;
  /** Reserved claims the trigger tried to change; Cognito leaves them as they are. */
  ignoredClaims: string[];
}

function applyChanges(claims: Record<string, unknown>, changes: ClaimChanges, ignored: Set<string>): void {
  for (const name of changes.claimsToSuppress) {
    if (reservedClaims.has(name)) ignored.add(name);
    else delete claims[name];
  }
  for (const [name, value] of Object.entries(changes.claimsToAddOrOverride)) {
    if (reservedClaims.has(name)) ignored.add(name);
    else claims[name] = value;
  }
}

/** Attribute values as the id token carries them: the verified flags as booleans. */
function attributeClaims(attributes: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      name.endsWith('_verified') ? value === 'true' : name === 'updated_at' ? Number(value) : value,
    ]),
  );
}

export function issueTokens(key: SigningKey, grant: TokenGrant): IssuedTokens {
  const { user, overrides } = grant;
  const shared = {
    iss: grant.issuer,
    origin_jti: grant.originJti,
    event_id: randomUUID(),
    auth_time: grant.authTime,
    iat: grant.nowSeconds,
    exp: grant.nowSeconds + accessTokenSeconds,
  };
  const suppressed = new Set(overrides.access.scopesToSuppress);
  const scopes = [...new Set([...grant.scopes, ...overrides.access.scopesToAdd])].filter(
    (s) => !suppressed.has(s),
  );
  const ignored = new Set<string>();
  const access: Record<string, unknown> = {
    sub: user.username,
    ...shared,
    client_id: grant.clientId,
    token_use: 'access',
    scope: scopes.join(' '),
    jti: randomUUID(),
    username: user.username,
  };
  applyChanges(access, overrides.access, ignored);
  const id: Record<string, unknown> = {
    ...attributeClaims(user.attributes),
    sub: user.username,
    ...shared,
    aud: grant.clientId,
    'cognito:username': user.username,
    ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    token_use: 'id',
    jti: randomUUID(),
  };
  applyChanges(id, overrides.id, ignored);
  return { accessToken: signJwt(key, access), idToken: signJwt(key, id), ignoredClaims: [...ignored] };
}
