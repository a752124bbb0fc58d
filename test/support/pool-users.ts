// A confirmed user with a permanent password and a verified email, created through the Cognito API
// (the local user pool's or Cognito's), as an administrator would.
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

export async function createConfirmedUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: { email: string; password: string; tenantId: string; name?: string },
): Promise<{ sub: string }> {
  const created = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
        ...(user.name !== undefined ? [{ Name: 'name', Value: user.name }] : []),
        { Name: 'custom:tenant_id', Value: user.tenantId },
      ],
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      Password: user.password,
      Permanent: true,
    }),
  );
  return { sub: created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? '' };
}
