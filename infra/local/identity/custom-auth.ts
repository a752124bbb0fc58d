// Cognito's CUSTOM_AUTH flow: InitiateAuth runs pre authentication, then Define Auth Challenge; each
// CUSTOM_CHALLENGE it asks for is made by Create Auth Challenge and answered through
// RespondToAuthChallenge, checked by Verify Auth Challenge Response and added to the session that
// Define reads again, until it fails the sign-in or issues tokens. Every answer opens a new session
// and spends the old one, as Cognito's sessions can be used once.
import type { AuthCaller, InitiateAuthInput, RespondInput } from './auth-requests.ts';
import { assertAuthFlow } from './app-clients.ts';
import { createSessionStore } from './challenge-sessions.ts';
import {
  runCreateAuthChallenge,
  runDefineAuthChallenge,
  runVerifyAuthChallengeResponse,
  type ChallengeCall,
  type SessionEntry,
} from './challenge-triggers.ts';
import { signedIn, triggerCall, type LocalPool, type SignedIn } from './pool.ts';
import { CognitoError, expiredSession, incorrectCredentials, required, userIsDisabled } from './protocol.ts';
import { runPreAuthentication } from './triggers.ts';
import { findUser } from './users.ts';

interface CustomSession {
  /** The username, or the name given when it matched no user. */
  userName: string;
  found: boolean;
  clientId: string;
  results: SessionEntry[];
  privateChallengeParameters: Record<string, string>;
  challengeMetadata: string | undefined;
}

export interface CustomChallengeStep {
  ChallengeName: 'CUSTOM_CHALLENGE';
  Session: string;
  ChallengeParameters: Record<string, string>;
}

type Metadata = Record<string, string> | undefined;

const srpUnsupported = () =>
  new CognitoError(
    'UnsupportedOperationException',
    'The local user pool has no SRP: a custom authentication flow here starts with CUSTOM_CHALLENGE.',
  );

export function createCustomAuth(pool: LocalPool) {
  const sessions = createSessionStore<CustomSession>(() => pool.now());

  function callFor(clientId: string, userName: string, found: boolean): ChallengeCall {
    // A user deleted since the last step is one that matches no name: it never gets tokens.
    const user = found ? pool.state.users[userName] : undefined;
    if (user && !user.enabled) throw userIsDisabled();
    const { invokeTrigger: invoke, region, userPoolId } = pool;
    return { invoke, region, userPoolId, clientId, userName, user };
  }

  /** Asks Define what comes after `results`: a failure, tokens, or a new challenge from Create. */
  async function nextStep(
    call: ChallengeCall,
    results: SessionEntry[],
    clientMetadata: Metadata,
  ): Promise<CustomChallengeStep | SignedIn> {
    const answer = await runDefineAuthChallenge(call, results, clientMetadata);
    if (answer.kind === 'fail') throw incorrectCredentials();
    if (answer.kind === 'tokens') {
      // Nobody to issue tokens to: the name matched no user, which the client must not learn.
      if (!call.user) throw incorrectCredentials();
      return signedIn(pool, call.user, call.clientId, 'TokenGeneration_Authentication', clientMetadata);
    }
    if (answer.name !== 'CUSTOM_CHALLENGE') {
      if (['SRP_A', 'PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH'].includes(answer.name)) throw srpUnsupported();
      throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
    }
    const created = await runCreateAuthChallenge(call, answer.name, results, clientMetadata);
    const session = sessions.open({
      userName: call.userName,
      found: call.user !== undefined,
      clientId: call.clientId,
      results,
      privateChallengeParameters: created.privateChallengeParameters,
      challengeMetadata: created.challengeMetadata,
    });
    return {
      ChallengeName: 'CUSTOM_CHALLENGE',
      Session: session,
      ChallengeParameters: { ...created.publicChallengeParameters, USERNAME: call.userName },
    };
  }

  /** InitiateAuth or AdminInitiateAuth with CUSTOM_AUTH. */
  async function initiate(input: InitiateAuthInput, via: AuthCaller) {
    assertAuthFlow(pool, input.ClientId, 'CUSTOM_AUTH', via);
    const name = required(input.AuthParameters, 'USERNAME');
    if (input.AuthParameters.SRP_A !== undefined || input.AuthParameters.CHALLENGE_NAME === 'SRP_A') {
      throw srpUnsupported();
    }
    const user = findUser(pool.state, name);
    const call = callFor(input.ClientId, user?.username ?? name, user !== undefined);
    // InitiateAuth's ClientMetadata reaches pre authentication (as validationData) only.
    if (user) await runPreAuthentication(triggerCall(pool, input.ClientId, user), input.ClientMetadata);
    return nextStep(call, [], undefined);
  }

  /** RespondToAuthChallenge or AdminRespondToAuthChallenge with CUSTOM_CHALLENGE and an ANSWER. */
  async function respond(input: RespondInput) {
    const session = sessions.get(input.Session);
    if (!session) throw expiredSession();
    const named = required(input.ChallengeResponses, 'USERNAME');
    const sameUser = session.found
      ? findUser(pool.state, named)?.username === session.userName
      : named.toLowerCase() === session.userName.toLowerCase();
    if (session.clientId !== input.ClientId || !sameUser) {
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
    }
    const answer = required(input.ChallengeResponses, 'ANSWER');
    sessions.delete(input.Session!);
    const call = callFor(input.ClientId, session.userName, session.found);
    const metadata = input.ClientMetadata;
    const correct = await runVerifyAuthChallengeResponse(
      call,
      session.privateChallengeParameters,
      answer,
      metadata,
    );
    const result: SessionEntry = {
      challengeName: 'CUSTOM_CHALLENGE',
      challengeResult: correct,
      ...(session.challengeMetadata ? { challengeMetadata: session.challengeMetadata } : {}),
    };
    return nextStep(call, [...session.results, result], metadata);
  }

  return { initiate, respond };
}
