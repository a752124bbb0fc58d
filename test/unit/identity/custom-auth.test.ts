// The custom authentication triggers SSO sign-in answers, on events shaped as Cognito sends them:
// exactly one challenge, tokens only for a right answer, and a right answer is a code whose proof is
// there, unexpired, for this user, whose PKCE verifier matches, and which is then consumed.
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createCustomAuthTriggers, type ProofStore } from '../../../functions/identity/custom-auth.ts';
import type { SignInProofItem } from '../../../libs/data/identity-entities.ts';

const sha = (v: string) => createHash('sha256').update(v).digest('base64url');
const now = new Date('2026-06-01T12:00:00.000Z');
const sub = '8f1c9e2a-0000-4000-8000-000000000001';
const code = 'c'.repeat(43);
const verifier = 'v'.repeat(43);

function proofs(items: SignInProofItem[]): ProofStore & { items: SignInProofItem[] } {
  return {
    items,
    getProof: (hash) => Promise.resolve(items.find((p) => p.codeHash === hash)),
    consumeProof(hash) {
      const i = items.findIndex((p) => p.codeHash === hash);
      if (i < 0) return Promise.resolve(false);
      items.splice(i, 1);
      return Promise.resolve(true);
    },
  };
}

const proof = (overrides: Partial<SignInProofItem> = {}): SignInProofItem => ({
  codeHash: sha(code),
  tenantId: 'ten_01JD0000000000000000000000',
  userId: sub,
  username: sub,
  codeChallenge: sha(verifier),
  connectionId: 'con_01JD0000000000000000000000',
  mfa: false,
  expiresAt: now.getTime() / 1000 + 60,
  ...overrides,
});

const common = {
  version: '1',
  region: 'us-east-1',
  userPoolId: 'us-east-1_example',
  userName: sub,
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
};

function defineEvent(
  session: DefineAuthChallengeTriggerEvent['request']['session'],
): DefineAuthChallengeTriggerEvent {
  return {
    ...common,
    triggerSource: 'DefineAuthChallenge_Authentication',
    request: { userAttributes: { sub, email: 'ada@acme.test' }, session },
    response: { challengeName: '', issueTokens: false, failAuthentication: false },
  };
}

function verifyEvent(
  answer: string,
  metadata?: Record<string, string>,
): VerifyAuthChallengeResponseTriggerEvent {
  return {
    ...common,
    triggerSource: 'VerifyAuthChallengeResponse_Authentication',
    request: {
      userAttributes: { sub },
      privateChallengeParameters: {},
      challengeAnswer: answer,
      ...(metadata ? { clientMetadata: metadata } : {}),
    },
    response: { answerCorrect: false },
  };
}

const triggers = (store: ProofStore) =>
  createCustomAuthTriggers({ proofs: store, logger: new Logger({ logLevel: 'SILENT' }), clock: () => now });

describe('define auth challenge', () => {
  const { defineAuthChallenge } = triggers(proofs([]));
  const answered = (result: boolean) => ({
    challengeName: 'CUSTOM_CHALLENGE' as const,
    challengeResult: result,
    challengeMetadata: 'SSO_CODE',
  });

  it('asks one custom challenge, issues tokens for a right answer, fails a wrong one', async () => {
    expect((await defineAuthChallenge(defineEvent([]))).response).toEqual({
      challengeName: 'CUSTOM_CHALLENGE',
      issueTokens: false,
      failAuthentication: false,
    });
    expect((await defineAuthChallenge(defineEvent([answered(true)]))).response).toMatchObject({
      issueTokens: true,
      failAuthentication: false,
    });
    expect((await defineAuthChallenge(defineEvent([answered(false)]))).response).toMatchObject({
      issueTokens: false,
      failAuthentication: true,
    });
  });

  it('never gives a second try, nor signs in an unknown user or after another kind of challenge', async () => {
    expect(
      (await defineAuthChallenge(defineEvent([answered(false), answered(true)]))).response.failAuthentication,
    ).toBe(true);
    const unknown = defineEvent([]);
    unknown.request.userNotFound = true;
    expect((await defineAuthChallenge(unknown)).response.failAuthentication).toBe(true);
    const srp = defineEvent([{ challengeName: 'SRP_A', challengeResult: true }]);
    expect((await defineAuthChallenge(srp)).response).toMatchObject({
      issueTokens: false,
      failAuthentication: true,
    });
  });
});

describe('create auth challenge', () => {
  it('poses the code challenge with nothing secret in it', async () => {
    const event = {
      ...common,
      triggerSource: 'CreateAuthChallenge_Authentication',
      request: { userAttributes: { sub }, challengeName: 'CUSTOM_CHALLENGE', session: [] },
      response: { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: '' },
    } as CreateAuthChallengeTriggerEvent;
    const { response } = await triggers(proofs([])).createAuthChallenge(event);
    expect(response.publicChallengeParameters).toEqual({ kind: 'sso_code' });
    expect(response.privateChallengeParameters).toEqual({});
  });
});

describe('verify auth challenge response', () => {
  it('accepts the code with its verifier once', async () => {
    const store = proofs([proof()]);
    const { verifyAuthChallengeResponse } = triggers(store);
    expect(
      (await verifyAuthChallengeResponse(verifyEvent(code, { code_verifier: verifier }))).response
        .answerCorrect,
    ).toBe(true);
    expect(store.items).toHaveLength(0);
    expect(
      (await verifyAuthChallengeResponse(verifyEvent(code, { code_verifier: verifier }))).response
        .answerCorrect,
    ).toBe(false);
  });

  it.each([
    ['a wrong verifier', [proof()], verifyEvent(code, { code_verifier: 'w'.repeat(43) })],
    ['no verifier', [proof()], verifyEvent(code)],
    ['an unknown code', [proof()], verifyEvent('x'.repeat(43), { code_verifier: verifier })],
    ['an empty answer', [proof()], verifyEvent('', { code_verifier: verifier })],
    [
      'an expired code',
      [proof({ expiresAt: now.getTime() / 1000 })],
      verifyEvent(code, { code_verifier: verifier }),
    ],
    [
      "another user's code",
      [proof({ userId: 'someone-else' })],
      verifyEvent(code, { code_verifier: verifier }),
    ],
  ])('refuses %s and keeps the proof', async (_name, items, event) => {
    const store = proofs(items);
    expect((await triggers(store).verifyAuthChallengeResponse(event)).response.answerCorrect).toBe(false);
    expect(store.items).toHaveLength(1);
  });

  it('needs no verifier for an IdP-initiated sign-in, which has no challenge', async () => {
    const store = proofs([proof({ codeChallenge: '' })]);
    expect(
      (await triggers(store).verifyAuthChallengeResponse(verifyEvent(code))).response.answerCorrect,
    ).toBe(true);
  });
});
