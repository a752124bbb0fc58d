// The Cognito user pool as the identity context uses it: the credential store behind Plinth's users.
// Admin operations name a user by their username, which in an email-as-username pool is the sub.
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  VerifySoftwareTokenCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { Problem } from '../../libs/http/problem.ts';

export interface UserPool {
  disableUser(userId: string): Promise<void>;
  enableUser(userId: string): Promise<void>;
  /** A user already gone from the pool counts as deleted. */
  deleteUser(userId: string): Promise<void>;
  /** Invalidates every refresh token of the user; access tokens are refused by the authorizer. */
  signOutEverywhere(userId: string): Promise<void>;
  setName(userId: string, name: string): Promise<void>;
  /** The user's custom:tenant_id, or undefined when the pool has no such user. */
  tenantOf(userId: string): Promise<string | undefined>;
  /** Starts TOTP enrolment for the owner of `accessToken`; answers the shared secret. */
  associateTotp(accessToken: string): Promise<string>;
  /** Checks a code from the app against the secret being enrolled. */
  verifyTotp(accessToken: string, code: string, deviceName: string | undefined): Promise<void>;
  /** Makes TOTP the user's enabled and preferred second factor, so every sign-in asks for it. */
  preferTotp(userId: string): Promise<void>;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Cognito's answers to a user's own token calls, as problems the caller can act on. */
function userCallProblem(error: unknown): unknown {
  switch (errorName(error)) {
    case 'NotAuthorizedException':
      return new Problem(401, 'unauthorized', 'The access token is no longer valid; sign in again.');
    case 'CodeMismatchException':
    case 'EnableSoftwareTokenMFAException':
      return new Problem(400, 'invalid_mfa_code', 'The code does not match; use a fresh code from the app.');
    case 'SoftwareTokenMFANotFoundException':
      return new Problem(
        409,
        'mfa_enrolment_not_started',
        'Start enrolment with POST /v1/me/mfa/totp before verifying a code.',
      );
    case 'TooManyRequestsException':
    case 'LimitExceededException':
      return new Problem(429, 'too_many_requests', 'Too many attempts; wait a moment and try again.');
    default:
      return error;
  }
}

export function createUserPool(client: CognitoIdentityProviderClient, userPoolId: string): UserPool {
  const admin = (userId: string) => ({ UserPoolId: userPoolId, Username: userId });

  return {
    async disableUser(userId) {
      await client.send(new AdminDisableUserCommand(admin(userId)));
    },
    async enableUser(userId) {
      await client.send(new AdminEnableUserCommand(admin(userId)));
    },
    async deleteUser(userId) {
      try {
        await client.send(new AdminDeleteUserCommand(admin(userId)));
      } catch (error) {
        if (errorName(error) !== 'UserNotFoundException') throw error;
      }
    },
    async signOutEverywhere(userId) {
      await client.send(new AdminUserGlobalSignOutCommand(admin(userId)));
    },
    async setName(userId, name) {
      await client.send(
        new AdminUpdateUserAttributesCommand({
          ...admin(userId),
          UserAttributes: [{ Name: 'name', Value: name }],
        }),
      );
    },
    async tenantOf(userId) {
      try {
        const user = await client.send(new AdminGetUserCommand(admin(userId)));
        return user.UserAttributes?.find((a) => a.Name === 'custom:tenant_id')?.Value;
      } catch (error) {
        if (errorName(error) === 'UserNotFoundException') return undefined;
        throw error;
      }
    },
    async associateTotp(accessToken) {
      try {
        const { SecretCode } = await client.send(
          new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
        );
        if (!SecretCode) throw new Error('AssociateSoftwareToken answered no SecretCode');
        return SecretCode;
      } catch (error) {
        throw userCallProblem(error);
      }
    },
    async verifyTotp(accessToken, code, deviceName) {
      try {
        const { Status } = await client.send(
          new VerifySoftwareTokenCommand({
            AccessToken: accessToken,
            UserCode: code,
            ...(deviceName ? { FriendlyDeviceName: deviceName } : {}),
          }),
        );
        if (Status !== 'SUCCESS') {
          throw new Problem(
            400,
            'invalid_mfa_code',
            'The code does not match; use a fresh code from the app.',
          );
        }
      } catch (error) {
        throw userCallProblem(error);
      }
    },
    async preferTotp(userId) {
      await client.send(
        new AdminSetUserMFAPreferenceCommand({
          ...admin(userId),
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
      );
    },
  };
}
