import { describe, expect, it } from 'vitest';
import { loadAuthorizerConfig } from '../../../functions/authorizer/config.ts';

const base = {
  PLINTH_REGION: 'us-east-1',
  TABLE_NAME: 'plinth-us-east-1',
  USER_POOL_ID: 'us-east-1_Pool0001',
  USER_POOL_CLIENT_IDS: 'first-party,console',
};
const jwksUrl = 'http://127.0.0.1:9229/us-east-1_Pool0001/.well-known/jwks.json';

describe("the authorizer's environment", () => {
  it('takes the JWKS from the local issuer on one machine', () => {
    const config = loadAuthorizerConfig({ ...base, IDENTITY_JWKS_URL: jwksUrl, PLINTH_LOCAL: 'true' });
    expect(config.userPool?.jwksUrl).toBe(jwksUrl);
  });

  it('refuses to start with a JWKS URL anywhere else, where only Cognito may sign tokens', () => {
    expect(() => loadAuthorizerConfig({ ...base, IDENTITY_JWKS_URL: jwksUrl })).toThrow(
      /IDENTITY_JWKS_URL is honoured on one machine only/,
    );
    expect(() =>
      loadAuthorizerConfig({ ...base, IDENTITY_JWKS_URL: jwksUrl, PLINTH_LOCAL: 'false' }),
    ).toThrow(/one machine only/);
  });

  it("fetches Cognito's own keys on AWS", () => {
    expect(loadAuthorizerConfig(base).userPool).toEqual({
      userPoolId: 'us-east-1_Pool0001',
      clientIds: ['first-party', 'console'],
      jwksUrl: undefined,
    });
  });
});
