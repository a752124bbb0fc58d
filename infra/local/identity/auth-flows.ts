// Sign-in as clients call it: InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, and CUSTOM_AUTH
// through custom-auth.ts), GetTokensFromRefreshToken and RespondToAuthChallenge (SOFTWARE_TOKEN_MFA,
// NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE), each flow only on app clients that allow it. Challenge sessions live in
// memory for three minutes, as Cognito's do; a restart only makes a pending challenge start over.
import {
  getTokensInput,
  initiateAuthInput,
  respondInput,
  type InitiateAuthInput,
  type RespondInput,
} from './auth-requests.ts';
import { assertAuthFlow } from './app-clients.ts';
import { createSessionStore } from './challenge-sessions.ts';
import { createCustomAuth } from './custom-auth.ts';
import { checkTotpCode } from './mfa.ts';
import { assertPasswordPolicy, hashPassword, passwordMatches } from './passwords.ts';
import {
  assertClient,
  refreshSession,
  signedIn,
  triggerCall,
  type HostedGrant,
  type LocalPool,
  type SignedIn,
} from './pool.ts';
import {
  CognitoError,
  expiredSession,
  incorrectCredentials,
  parseInput,
  required,
  userIsDisabled,
} from './protocol.ts';
import type { UserRecord } from './state.ts';
import { runPreAuthentication, type TokenGenerationSource } from './triggers.ts';
import { emailTaken, findUser, readAttributes } from './users.ts';

const maxChallengeAttempts = 5;

type ChallengeName = 'SOFTWARE_TOKEN_MFA' | 'NEW_PASSWORD_REQUIRED';

interface Challenge {
  name: ChallengeName;
  username: string;
  clientId: string;
  attempts: number;
  /** Set when the sign-in started at the authorize endpoint. */
  grant?: HostedGrant | undefined;
}

interface ChallengeAnswer {
  ChallengeName: ChallengeName;
  Session: string;
  ChallengeParameters: Record<string, string>;
}

/** What one step of a sign-in answers: the next challenge, or tokens. */
export type SignInStep = ChallengeAnswer | SignedIn;

/**
 * REFRESH_TOKEN_AUTH through InitiateAuth or AdminInitiateAuth: new tokens of the same session. The
 * CDK allows it on every client, so no flow check could refuse it here. As on Cognito, the request's
 * ClientMetadata goes to pre authentication only, which a refresh does not run: the pre token
 * generation trigger never sees it (GetTokensFromRefreshToken is the refresh that hands it on).
 */
export async function refreshStep(pool: LocalPool, input: InitiateAuthInput) {
  const refreshToken = required(input.AuthParameters, 'REFRESH_TOKEN');
  const result = await refreshSession(pool, refreshToken, input.ClientId);
  return { ChallengeParameters: {}, AuthenticationResult: result };
}

/**
 * GetTokensFromRefreshToken: the refresh whose ClientMetadata reaches the pre token generation
 * trigger. The CDK's clients do not rotate refresh tokens, so, as on Cognito, the answer has new
 * access and id tokens only.
 */
export async function refreshWithMetadata(pool: LocalPool, body: unknown) {
  const input = parseInput(getTokensInput, body);
  assertClient(pool, input.ClientId);
  const result = await refreshSession(pool, input.RefreshToken, input.ClientId, input.ClientMetadata);
  return { AuthenticationResult: result };
}

export function createAuthFlows(pool: LocalPool) {
  const challenges = createSessionStore<Challenge>(() => pool.now());
  const custom = createCustomAuth(pool);

  function openChallenge(
    name: ChallengeName,
    user: UserRecord,
    clientId: string,
    grant: HostedGrant | undefined,
  ): ChallengeAnswer {
    const session = challenges.open({ name, username: user.username, clientId, attempts: 0, grant });
    const parameters: Record<string, string> =
      name === 'SOFTWARE_TOKEN_MFA'
        ? { USER_ID_FOR_SRP: user.username, FRIENDLY_DEVICE_NAME: 'TOTP device' }
        : {
            USER_ID_FOR_SRP: user.username,
            requiredAttributes: '[]',
            userAttributes: JSON.stringify(
              Object.fromEntries(Object.entries(user.attributes).filter(([n]) => n !== 'sub')),
            ),
          };
    return { ChallengeName: name, Session: session, ChallengeParameters: parameters };
  }

  /** The last steps every sign-in shares: an MFA challenge when TOTP is on, else tokens. */
  async function finishPasswordStep(
    user: UserRecord,
    clientId: string,
    source: Exclude<TokenGenerationSource, 'TokenGeneration_RefreshTokens'>,
    clientMetadata: Record<string, string> | undefined,
    grant: HostedGrant | undefined,
  ): Promise<SignInStep> {
    if (user.totp.enabled) return openChallenge('SOFTWARE_TOKEN_MFA', user, clientId, grant);
    return signedIn(pool, user, clientId, source, clientMetadata, grant);
  }

  async function passwordSignIn(input: InitiateAuthInput, grant?: HostedGrant) {
    const username = required(input.AuthParameters, 'USERNAME');
    const password = required(input.AuthParameters, 'PASSWORD');
    const user = findUser(pool.state, username);
    if (!user) throw incorrectCredentials();
    if (!user.enabled) throw userIsDisabled();
    await runPreAuthentication(triggerCall(pool, input.ClientId, user), input.ClientMetadata);
    if (!(await passwordMatches(password, user.passwordHash))) throw incorrectCredentials();
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      if ((user.temporaryPasswordExpiresAt ?? Infinity) <= pool.now()) {
        throw new CognitoError(
          'NotAuthorizedException',
          'Temporary password has expired and must be reset by an administrator.',
        );
      }
      return openChallenge('NEW_PASSWORD_REQUIRED', user, input.ClientId, grant);
    }
    const source = grant ? 'TokenGeneration_HostedAuth' : 'TokenGeneration_Authentication';
    // InitiateAuth's ClientMetadata reaches pre authentication only, never post authentication or
    // token generation; an MFA or new-password answer brings its own.
    return finishPasswordStep(user, input.ClientId, source, undefined, grant);
  }

  async function initiateAuth(body: unknown) {
    const input = parseInput(initiateAuthInput, body);
    assertClient(pool, input.ClientId);
    switch (input.AuthFlow) {
      case 'USER_PASSWORD_AUTH':
        assertAuthFlow(pool, input.ClientId, input.AuthFlow, 'client');
        return passwordSignIn(input);
      case 'CUSTOM_AUTH':
        return custom.initiate(input, 'client');
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refreshStep(pool, input);
      default:
        throw new CognitoError(
          'InvalidParameterException',
          `${input.AuthFlow} is not supported by the local user pool; use USER_PASSWORD_AUTH, CUSTOM_AUTH or REFRESH_TOKEN_AUTH.`,
        );
    }
  }

  /** The challenge a session is for, checked against the client and the user answering it. */
  function takeChallenge(input: RespondInput): { challenge: Challenge; user: UserRecord } {
    const challenge = challenges.get(input.Session);
    if (!challenge) throw expiredSession();
    if (challenge.name !== input.ChallengeName) {
      throw new CognitoError('InvalidParameterException', `Session is for the ${challenge.name} challenge.`);
    }
    const user = findUser(pool.state, required(input.ChallengeResponses, 'USERNAME'));
    if (challenge.clientId !== input.ClientId || user?.username !== challenge.username) {
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
    }
    if (!user.enabled) throw userIsDisabled();
    challenge.attempts += 1;
    if (challenge.attempts > maxChallengeAttempts) {
      challenges.delete(input.Session!);
      throw expiredSession();
    }
    return { challenge, user };
  }

  async function answerMfa(input: RespondInput) {
    const { challenge, user } = takeChallenge(input);
    const code = required(input.ChallengeResponses, 'SOFTWARE_TOKEN_MFA_CODE');
    const check = await checkTotpCode(user.totp.secret ?? '', code, pool.now(), user.totp.lastUsedStep);
    if (!check.ok) {
      throw check.reason === 'reused'
        ? new CognitoError('ExpiredCodeException', 'Your software token has already been used once.')
        : new CognitoError('CodeMismatchException', 'Invalid code received for user');
    }
    challenges.delete(input.Session!);
    user.totp.lastUsedStep = check.step;
    pool.save();
    return signedIn(
      pool,
      user,
      input.ClientId,
      challenge.grant ? 'TokenGeneration_HostedAuth' : 'TokenGeneration_Authentication',
      input.ClientMetadata,
      challenge.grant,
    );
  }

  async function answerNewPassword(input: RespondInput) {
    const { challenge, user } = takeChallenge(input);
    const password = required(input.ChallengeResponses, 'NEW_PASSWORD');
    assertPasswordPolicy(password);
    const attributes = readAttributes(
      Object.entries(input.ChallengeResponses)
        .filter(([name]) => name.startsWith('userAttributes.'))
        .map(([name, value]) => ({ Name: name.slice('userAttributes.'.length), Value: value })),
    );
    const passwordHash = await hashPassword(password);
    if (attributes.email && emailTaken(pool.state, attributes.email, user.username)) {
      throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
    }
    challenges.delete(input.Session!);
    Object.assign(user, {
      passwordHash,
      status: 'CONFIRMED',
      temporaryPasswordExpiresAt: undefined,
      attributes: { ...user.attributes, ...attributes },
      updatedAt: pool.now(),
    });
    pool.save();
    pool.log.info(`local identity: ${user.attributes.email ?? user.username} set a new password`);
    return finishPasswordStep(
      user,
      input.ClientId,
      'TokenGeneration_NewPasswordChallenge',
      input.ClientMetadata,
      challenge.grant,
    );
  }

  function respondInputOf(body: unknown): RespondInput {
    const input = parseInput(respondInput, body);
    assertClient(pool, input.ClientId);
    return input;
  }

  /** The challenges of a password sign-in, which the hosted sign-in shares. */
  async function answerPasswordChallenge(body: unknown): Promise<SignInStep> {
    const input = respondInputOf(body);
    switch (input.ChallengeName) {
      case 'SOFTWARE_TOKEN_MFA':
        return answerMfa(input);
      case 'NEW_PASSWORD_REQUIRED':
        return answerNewPassword(input);
      default:
        throw new CognitoError(
          'InvalidParameterException',
          `${input.ChallengeName} is not a challenge the local user pool issues.`,
        );
    }
  }

  async function respondToAuthChallenge(body: unknown) {
    const input = respondInputOf(body);
    return input.ChallengeName === 'CUSTOM_CHALLENGE'
      ? custom.respond(input)
      : answerPasswordChallenge(input);
  }

  /** A password sign-in that started at the authorize endpoint: the same steps, with its grant. */
  async function hostedSignIn(clientId: string, username: string, password: string, grant: HostedGrant) {
    assertClient(pool, clientId);
    return passwordSignIn(
      {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      },
      grant,
    );
  }

  return { initiateAuth, respondToAuthChallenge, answerPasswordChallenge, hostedSignIn, custom };
}
