// The user pool operations that make and remove people (accepted invitations, SSO provisioning),
// behind a small interface so the flows can be tested against a fake pool. Cognito keeps passwords;
// Plinth's table keeps tenancy and roles.
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Problem } from '../../libs/http/problem.ts';
import { problems } from '../../libs/http/problem.ts';

export interface NewPoolUser {
  email: string;
  name: string;
  tenantId: string;
  password: string;
}

export interface UserPool {
  /** A confirmed user with a verified email and a permanent password: its `sub` and username. */
  createUser(user: NewPoolUser): Promise<{ userId: string; username: string }>;
  deleteUser(username: string): Promise<void>;
  /** Sets a new, verified email. */
  setEmail(username: string, email: string): Promise<void>;
}

export function emailInUse(): Problem {
  return problems.conflict('email_in_use', 'This email address already belongs to a Plinth user.');
}

/** Cognito's errors that the caller caused, as problems; anything else stays an error (500). */
function asProblem(error: unknown): unknown {
  const name = error instanceof Error ? error.name : '';
  if (name === 'UsernameExistsException' || name === 'AliasExistsException') return emailInUse();
  if (name === 'InvalidPasswordException') {
    return problems.validation([
      { path: 'body.password', code: 'weak_password', message: (error as Error).message },
    ]);
  }
  return error;
}

export function createCognitoUserPool(client: CognitoIdentityProviderClient, userPoolId: string): UserPool {
  async function deleteUser(username: string): Promise<void> {
    await client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: username }));
  }

  return {
    async createUser(user) {
      let created;
      try {
        created = await client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            // The pool signs in by email, so the email is the name given here; Cognito generates the username.
            Username: user.email,
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: user.email },
              { Name: 'email_verified', Value: 'true' },
              { Name: 'name', Value: user.name },
              { Name: 'custom:tenant_id', Value: user.tenantId },
            ],
          }),
        );
      } catch (error) {
        throw asProblem(error);
      }
      const username = created.User?.Username;
      const userId = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
      if (!username || !userId) throw new Error('AdminCreateUser answered without a username or sub');
      try {
        await client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: username,
            Password: user.password,
            Permanent: true,
          }),
        );
      } catch (error) {
        await deleteUser(username);
        throw asProblem(error);
      }
      return { userId, username };
    },

    deleteUser,

    async setEmail(username, email) {
      try {
        await client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: userPoolId,
            Username: username,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
      } catch (error) {
        throw asProblem(error);
      }
    },
  };
}
