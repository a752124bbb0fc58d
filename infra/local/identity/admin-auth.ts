// Sign-in as a back end starts it with AWS credentials: AdminInitiateAuth (CUSTOM_AUTH, REFRESH_TOKEN_AUTH)
// and AdminRespondToAuthChallenge (CUSTOM_CHALLENGE), the same flows as their client twins with the
// user pool named in the request.
import { assertAuthFlow } from './app-clients.ts';
import { adminInitiateAuthInput, adminRespondInput } from './auth-requests.ts';
import type { createCustomAuth } from './custom-auth.ts';
import { refreshStep } from './auth-flows.ts';
import { assertClient, assertUserPool, type LocalPool } from './pool.ts';
import { CognitoError, parseInput } from './protocol.ts';

type CustomAuth = ReturnType<typeof createCustomAuth>;

export function createAdminAuth(pool: LocalPool, custom: CustomAuth) {
  async function adminInitiateAuth(body: unknown) {
    const input = parseInput(adminInitiateAuthInput, body);
    assertUserPool(pool, input.UserPoolId);
    assertClient(pool, input.ClientId);
    switch (input.AuthFlow) {
      case 'CUSTOM_AUTH':
        return custom.initiate(input, 'admin');
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refreshStep(pool, input);
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH':
        // No Plinth client allows it, so Cognito refuses it before reading the password.
        assertAuthFlow(pool, input.ClientId, 'ADMIN_USER_PASSWORD_AUTH', 'admin');
        throw new CognitoError('InvalidParameterException', 'Auth flow not enabled for this client');
      default:
        throw new CognitoError('InvalidParameterException', 'Initiate Auth method not supported.');
    }
  }

  function adminRespondToAuthChallenge(body: unknown) {
    const input = parseInput(adminRespondInput, body);
    assertUserPool(pool, input.UserPoolId);
    assertClient(pool, input.ClientId);
    if (input.ChallengeName !== 'CUSTOM_CHALLENGE') {
      throw new CognitoError(
        'InvalidParameterException',
        `${input.ChallengeName} is not a challenge the local user pool issues to AdminInitiateAuth.`,
      );
    }
    return custom.respond(input);
  }

  return {
    AdminInitiateAuth: adminInitiateAuth,
    AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
  };
}
