// Token verification with aws-jwt-verify against keys made here: the claims Plinth reads, and what
// it refuses (another pool, another client, an ID token, a tampered or expired token).
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { createTokenVerifier, looksLikeJwt } from '../../../functions/authorizer/jwt.ts';
import { refusalDetail, tokenRefusalReason } from '../../../functions/authorizer/verify.ts';

const userPoolId = 'us-east-1_TestPool1';
const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
const clientId = 'client-first-party';

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, jwks: { keys: [jwk] } as unknown as Jwks, kid };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(key: { privateKey: KeyObject; kid: string }, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'RS256', kid: key.kid, typ: 'JWT' })}.${b64({
    sub: 'sub-1',
    iss: issuer,
    client_id: clientId,
    token_use: 'access',
    origin_jti: 'origin-1',
    auth_time: now - 10,
    iat: now - 10,
    exp: now + 3600,
    tenant_id: 'ten_1',
    mfa: 'true',
    ...claims,
  })}`;
  const signature = createSign('RSA-SHA256').update(body).sign(key.privateKey).toString('base64url');
  return `${body}.${signature}`;
}

const key = keyPair('key-1');
const verifier = (jwks: Jwks = key.jwks) =>
  createTokenVerifier({ userPoolId, clientIds: [clientId], jwksUrl: 'http://127.0.0.1:1/jwks.json' }, () =>
    Promise.resolve(jwks),
  );

describe('access token verification', () => {
  it('reads the tenant, session, sign-in time and MFA claims of a valid access token', async () => {
    const claims = await verifier().verify(sign(key, {}));
    expect(claims).toMatchObject({ sub: 'sub-1', tenantId: 'ten_1', originJti: 'origin-1', mfa: true });
  });

  it('reads the millisecond of the sign-in when the token carries it, as tokens of a sign-in do', async () => {
    const signedIn = await verifier().verify(sign(key, { signed_in_at: '1780315200123' }));
    const refreshed = await verifier().verify(sign(key, {}));
    expect([signedIn.signedInAtMs, refreshed.signedInAtMs]).toEqual([1780315200123, undefined]);
  });

  it.each([
    [
      'another user pool',
      { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0001' },
      'token of another user pool',
    ],
    ['another app client', { client_id: 'someone-else' }, 'token of another app client'],
    ['an ID token', { token_use: 'id' }, 'id token'],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 60 }, 'expired token'],
  ])('refuses a token of %s, and says so', async (_name, claims, reason) => {
    const refused: unknown = await verifier()
      .verify(sign(key, claims))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(tokenRefusalReason(refused)).toBe(reason);
  });

  it('tells each refused token its own reason', () => {
    const details = [
      'token of another user pool',
      'token of another app client',
      'id token',
      'expired token',
      'token not verified',
    ].map(refusalDetail);
    expect(new Set(details).size).toBe(details.length);
  });

  it('refuses a token signed by a key the pool does not publish, and a tampered one', async () => {
    const stranger = keyPair('key-1');
    await expect(verifier().verify(sign(stranger, {}))).rejects.toThrow();
    const [header, , signature] = sign(key, {}).split('.');
    await expect(verifier().verify(`${header}.${b64({ sub: 'admin' })}.${signature}`)).rejects.toThrow();
  });

  it('tells a JWT from a Plinth API key', () => {
    expect(looksLikeJwt(sign(key, {}))).toBe(true);
    expect(looksLikeJwt('plt_01J0_01J1_secret')).toBe(false);
  });
});
