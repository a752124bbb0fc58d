// The user pool's custom authentication, for SSO: Plinth's SSO context verified the person at their
// IdP and handed the app a one-time code; the app's exchange answers the pool's one challenge with it.
// Define asks for exactly one answer, Create poses it, Verify accepts it only if the code's proof is
// there, unexpired, for this user, and the PKCE verifier matches its challenge; then it is consumed,
// so a code signs in once. Nothing else signs anyone in through this flow.
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import type { SignInProofItem } from '../../libs/data/identity-entities.ts';

/** The ClientMetadata key the app's PKCE verifier comes in (functions/sso/sign-in-pool.ts). */
const verifierKey = 'code_verifier';
const challengeName = 'CUSTOM_CHALLENGE';

export interface ProofStore {
  getProof(codeHash: string): Promise<SignInProofItem | undefined>;
  /** Removes the proof if it is still there; false when another answer took it first. */
  consumeProof(codeHash: string): Promise<boolean>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export function createCustomAuthTriggers(deps: { proofs: ProofStore; logger: Logger; clock: () => Date }) {
  const { proofs, logger } = deps;

  /** One challenge, one answer: a right answer issues tokens, anything else fails the sign-in. */
  function defineAuthChallenge(
    event: DefineAuthChallengeTriggerEvent,
  ): Promise<DefineAuthChallengeTriggerEvent> {
    const { session } = event.request;
    const last = session.at(-1);
    event.response.issueTokens = false;
    event.response.failAuthentication = false;
    if (
      event.request.userNotFound === true ||
      session.length > 1 ||
      (last && last.challengeName !== challengeName)
    ) {
      event.response.failAuthentication = true;
    } else if (last) {
      if (last.challengeResult) event.response.issueTokens = true;
      else event.response.failAuthentication = true;
    } else {
      event.response.challengeName = challengeName;
    }
    return Promise.resolve(event);
  }

  function createAuthChallenge(
    event: CreateAuthChallengeTriggerEvent,
  ): Promise<CreateAuthChallengeTriggerEvent> {
    event.response.publicChallengeParameters = { kind: 'sso_code' };
    event.response.privateChallengeParameters = {};
    event.response.challengeMetadata = 'SSO_CODE';
    return Promise.resolve(event);
  }

  async function verifyAuthChallengeResponse(
    event: VerifyAuthChallengeResponseTriggerEvent,
  ): Promise<VerifyAuthChallengeResponseTriggerEvent> {
    event.response.answerCorrect = false;
    const answer = typeof event.request.challengeAnswer === 'string' ? event.request.challengeAnswer : '';
    const codeHash = sha256(answer);
    const proof = answer ? await proofs.getProof(codeHash) : undefined;
    const refuse = (reason: string) => {
      logger.warn('sso code refused', { reason, userName: event.userName });
      return event;
    };
    if (!proof) return refuse('unknown_code');
    if (proof.userId !== event.request.userAttributes.sub) return refuse('other_user');
    if (proof.expiresAt <= deps.clock().getTime() / 1000) return refuse('expired');
    if (proof.codeChallenge !== '') {
      const verifier = event.request.clientMetadata?.[verifierKey];
      if (!verifier || sha256(verifier) !== proof.codeChallenge) return refuse('verifier_mismatch');
    }
    if (!(await proofs.consumeProof(codeHash))) return refuse('used');
    event.response.answerCorrect = true;
    return event;
  }

  return { defineAuthChallenge, createAuthChallenge, verifyAuthChallengeResponse };
}
