// The user pool as SSO sign-in uses it: a completed sign-in's one-time code becomes the pool's tokens
// through custom authentication, whose verify trigger (the identity context) consumes the code's
// proof after checking the PKCE verifier. Cognito, not Plinth, issues and signs every token.
import {
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

export interface PoolTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface SignInPool {
  /** Tokens for `username`, or undefined when the pool refused the code (used, expired, wrong verifier). */
  redeem(username: string, code: string, codeVerifier: string | undefined): Promise<PoolTokens | undefined>;
  setName(username: string, name: string): Promise<void>;
}

/** The ClientMetadata key the verify trigger reads the PKCE verifier from. */
export const verifierMetadataKey = 'code_verifier';
/** The ClientMetadata key pre authentication reads the code from (functions/identity/triggers.ts). */
const codeMetadataKey = 'sso_code';

export function createSignInPool(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string,
): SignInPool {
  return {
    async redeem(username, code, codeVerifier) {
      try {
        const started = await client.send(
          new AdminInitiateAuthCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            AuthFlow: 'CUSTOM_AUTH',
            AuthParameters: { USERNAME: username },
            // Where the tenant requires SSO, pre authentication lets this user in only with the code.
            ClientMetadata: { [codeMetadataKey]: code },
          }),
        );
        if (started.ChallengeName !== 'CUSTOM_CHALLENGE' || !started.Session) {
          throw new Error(`custom sign-in answered ${started.ChallengeName ?? 'no challenge'}`);
        }
        const answered = await client.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            ChallengeName: 'CUSTOM_CHALLENGE',
            Session: started.Session,
            ChallengeResponses: { USERNAME: username, ANSWER: code },
            ...(codeVerifier !== undefined
              ? { ClientMetadata: { [verifierMetadataKey]: codeVerifier } }
              : {}),
          }),
        );
        const result = answered.AuthenticationResult;
        if (!result?.AccessToken || !result.IdToken || !result.RefreshToken) {
          throw new Error(`custom sign-in answered ${answered.ChallengeName ?? 'no tokens'}`);
        }
        return {
          accessToken: result.AccessToken,
          idToken: result.IdToken,
          refreshToken: result.RefreshToken,
          expiresIn: result.ExpiresIn ?? 3600,
        };
      } catch (error) {
        if (error instanceof Error && error.name === 'NotAuthorizedException') return undefined;
        throw error;
      }
    },
    async setName(username, name) {
      await client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: username,
          UserAttributes: [{ Name: 'name', Value: name }],
        }),
      );
    },
  };
}
