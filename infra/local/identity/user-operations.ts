// The operations a signed-in user calls with their own access token (GetUser, GlobalSignOut, TOTP
// enrolment, MFA preference) and RevokeToken with a refresh token. Cognito honours its own
// revocations here: a token of a revoked session is refused even before it expires.
import * as z from 'zod';
import {
  applyMfaPreference,
  checkTotpCode,
  mfaPreferenceMembers,
  mfaSettingsOf,
  newTotpSecret,
} from './mfa.ts';
import {
  assertClient,
  revokeRefreshToken,
  revokeSessions,
  userOfAccessTokenIn,
  type LocalPool,
} from './pool.ts';
import { CognitoError, parseInput } from './protocol.ts';
import type { UserRecord } from './state.ts';
import { userAdminScope } from './tokens.ts';
import { attributeList } from './users.ts';

const accessTokenInput = z.object({ AccessToken: z.string() });
const mfaPreferenceInput = accessTokenInput.extend(mfaPreferenceMembers);
// Cognito also takes an MFA_SETUP challenge Session here; this pool never requires MFA at sign-in.
const enrolmentToken = z.string({ error: 'the local user pool enrols software tokens with an AccessToken' });
const associateInput = z.object({ AccessToken: enrolmentToken });
const verifyInput = z.object({
  AccessToken: enrolmentToken,
  UserCode: z.string(),
  FriendlyDeviceName: z.string().optional(),
});
const revokeInput = z.object({
  Token: z.string(),
  ClientId: z.string(),
  ClientSecret: z.string().optional(),
});

export function createUserOperations(pool: LocalPool) {
  /** The user an access token of this pool belongs to, if the token is still good for Cognito's API. */
  const userOfAccessToken = (token: string): UserRecord => userOfAccessTokenIn(pool, token, userAdminScope);

  function getUser(body: unknown) {
    const user = userOfAccessToken(parseInput(accessTokenInput, body).AccessToken);
    return { Username: user.username, UserAttributes: attributeList(user), ...mfaSettingsOf(user) };
  }

  function globalSignOut(body: unknown) {
    const user = userOfAccessToken(parseInput(accessTokenInput, body).AccessToken);
    revokeSessions(pool, user.username);
    pool.save();
    return {};
  }

  function revokeToken(body: unknown) {
    const input = parseInput(revokeInput, body);
    assertClient(pool, input.ClientId);
    if (revokeRefreshToken(pool, input.Token, input.ClientId) === 'other_client') {
      throw new CognitoError('UnauthorizedException', 'The token was not issued to this client.');
    }
    return {};
  }

  function associateSoftwareToken(body: unknown) {
    const user = userOfAccessToken(parseInput(associateInput, body).AccessToken);
    user.totp.pendingSecret = newTotpSecret();
    pool.save();
    return { SecretCode: user.totp.pendingSecret };
  }

  async function verifySoftwareToken(body: unknown) {
    const input = parseInput(verifyInput, body);
    const user = userOfAccessToken(input.AccessToken);
    const secret = user.totp.pendingSecret;
    if (!secret) {
      throw new CognitoError('InvalidParameterException', 'No software token is associated with the user.');
    }
    const check = await checkTotpCode(secret, input.UserCode, pool.now(), undefined);
    if (!check.ok) {
      throw new CognitoError(
        'EnableSoftwareTokenMFAException',
        'Code mismatch and fail enable Software Token MFA',
      );
    }
    user.totp = { ...user.totp, secret, pendingSecret: undefined, lastUsedStep: check.step };
    user.updatedAt = pool.now();
    pool.save();
    return { Status: 'SUCCESS' };
  }

  function setUserMFAPreference(body: unknown) {
    const input = parseInput(mfaPreferenceInput, body);
    const user = userOfAccessToken(input.AccessToken);
    applyMfaPreference(user, input);
    user.updatedAt = pool.now();
    pool.save();
    return {};
  }

  return {
    GetUser: getUser,
    GlobalSignOut: globalSignOut,
    RevokeToken: revokeToken,
    AssociateSoftwareToken: associateSoftwareToken,
    VerifySoftwareToken: verifySoftwareToken,
    SetUserMFAPreference: setUserMFAPreference,
  };
}
