// The local issuer's tokens: Cognito's claims, the Pre Token Generation V2 response applied as
// Cognito applies it (reserved claims untouchable), and only this pool's signatures accepted.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  issueTokens,
  loadSigningKey,
  noOverrides,
  readSignedJwt,
  type TokenGrant,
} from '../../../infra/local/identity/tokens.ts';
import { tokenOverridesOf } from '../../../infra/local/identity/triggers.ts';
import type { UserRecord } from '../../../infra/local/identity/state.ts';

function newKey(kid: string) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return loadSigningKey({
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
}

const key = newKey('key-1');
const sub = '6f1c0e2a-2b8e-4c55-9d43-1d2f3a4b5c6d';
const user: UserRecord = {
  username: sub,
  attributes: { sub, email: 'ada@example.com', email_verified: 'true', 'custom:tenant_id': 'ten_1' },
  passwordHash: 'unused',
  status: 'CONFIRMED',
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
  totp: { enabled: false },
};
const grant: TokenGrant = {
  issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi',
  clientId: 'client',
  user,
  originJti: 'origin',
  authTime: 1_700_000_000,
  nowSeconds: 1_700_000_100,
  scopes: ['aws.cognito.signin.user.admin'],
  overrides: noOverrides,
};

function claims(token: string) {
  return readSignedJwt(key, token)!;
}

describe('local identity tokens', () => {
  it('carry Cognito’s access token claims and an id token with the user’s attributes', () => {
    const { accessToken, idToken } = issueTokens(key, grant);
    expect(claims(accessToken)).toMatchObject({
      sub,
      username: sub,
      iss: grant.issuer,
      client_id: 'client',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      origin_jti: 'origin',
      auth_time: 1_700_000_000,
      iat: 1_700_000_100,
      exp: 1_700_003_700,
    });
    expect(claims(idToken)).toMatchObject({
      aud: 'client',
      token_use: 'id',
      'cognito:username': sub,
      email_verified: true,
      'custom:tenant_id': 'ten_1',
    });
  });

  it('apply a V2 trigger response but leave reserved claims alone', () => {
    const overrides = tokenOverridesOf({
      response: {
        claimsAndScopeOverrideDetails: {
          accessTokenGeneration: {
            claimsToAddOrOverride: { tenant_id: 'ten_1', roles: 'owner admin', sub: 'someone-else' },
            claimsToSuppress: ['iss'],
            scopesToAdd: ['plinth/api'],
            scopesToSuppress: ['aws.cognito.signin.user.admin'],
          },
          idTokenGeneration: { claimsToSuppress: ['email'] },
        },
      },
    });
    const issued = issueTokens(key, { ...grant, overrides });
    expect(claims(issued.accessToken)).toMatchObject({
      tenant_id: 'ten_1',
      roles: 'owner admin',
      sub,
      iss: grant.issuer,
      scope: 'plinth/api',
    });
    expect(claims(issued.idToken)).not.toHaveProperty('email');
    expect(issued.ignoredClaims.sort()).toEqual(['iss', 'sub']);
  });

  it('treat a trigger that answers without the event as an unrecognizable response', () => {
    expect(() => tokenOverridesOf(undefined)).toThrow('Unrecognizable lambda output');
    expect(() =>
      tokenOverridesOf({
        response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToSuppress: 'x' } } },
      }),
    ).toThrow('Unrecognizable lambda output');
    expect(tokenOverridesOf({ response: { claimsAndScopeOverrideDetails: null } })).toEqual(noOverrides);
  });

  it('accept only tokens signed with this pool’s key', () => {
    const { accessToken } = issueTokens(key, grant);
    const [header, payload, signature] = accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims(accessToken), sub: 'intruder' })).toString(
      'base64url',
    );
    expect(readSignedJwt(key, `${header}.${forged}.${signature}`)).toBeUndefined();
    expect(readSignedJwt(newKey('key-1'), accessToken)).toBeUndefined();
    expect(readSignedJwt(key, `${header}.${payload}`)).toBeUndefined();
  });
});
