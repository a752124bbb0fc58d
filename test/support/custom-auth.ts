// A local user pool for custom authentication tests: triggers a test sets per case, the SDK's Cognito
// client over HTTP, and the Amazon Cognito documentation's sample challenge triggers re-expressed
// (define, create, verify; the passwordless define of AWS's own sample; the multi-round scenario).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import {
  startLocalIdentity,
  type LocalIdentity,
  type TriggerName,
} from '../../infra/local/identity/index.ts';
import { silentLog } from '../../infra/local/log.ts';
import { createConfirmedUser } from './pool-users.ts';

export type TriggerHandler = (event: unknown) => Promise<unknown>;

/** A local pool whose triggers, events seen and clock each test arranges. */
export class CustomAuthPool {
  triggers: Partial<Record<TriggerName, TriggerHandler>> = {};
  /** Every event a trigger was given, in order, as it was given. */
  events: Array<{ trigger: TriggerName; event: Record<string, unknown> }> = [];
  clockOffsetMs = 0;
  identity!: LocalIdentity;
  cognito!: CognitoIdentityProviderClient;
  private readonly dir = mkdtempSync(join(tmpdir(), 'plinth-custom-auth-'));
  private users = 0;

  async start(): Promise<void> {
    this.identity = await startLocalIdentity({
      stateFile: join(this.dir, 'identity.json'),
      region: 'us-east-1',
      log: silentLog,
      now: () => Date.now() + this.clockOffsetMs,
      invokeTrigger: (trigger, event) => {
        const handler = this.triggers[trigger];
        if (!handler) return undefined;
        this.events.push({ trigger, event: structuredClone(event) as Record<string, unknown> });
        return handler(event);
      },
    });
    this.cognito = new CognitoIdentityProviderClient({
      endpoint: this.identity.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Cognito's sample challenge triggers, with `define` deciding the rounds. */
  useSamples(define: TriggerHandler = defineOneChallenge): void {
    Object.assign(this.triggers, {
      defineAuthChallenge: define,
      createAuthChallenge: createCaptchaThenMascot,
      verifyAuthChallengeResponse: verifyAnswer,
    });
  }

  reset(): void {
    this.triggers = {};
    this.events = [];
    this.clockOffsetMs = 0;
  }

  async stop(): Promise<void> {
    this.cognito.destroy();
    await this.identity.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The events one trigger was given. */
  eventsOf<E>(trigger: TriggerName): E[] {
    return this.events.filter((e) => e.trigger === trigger).map((e) => e.event as E);
  }

  async createUser(): Promise<{ email: string; sub: string }> {
    const email = `custom${++this.users}@example.com`;
    const { sub } = await createConfirmedUser(this.cognito, this.identity.userPoolId, {
      email,
      password: 'Correct-horse-9',
      tenantId: 'ten_1',
    });
    return { email, sub };
  }

  initiate(username: string, clientMetadata?: Record<string, string>, clientId?: string) {
    return this.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: clientId ?? this.identity.clientIds.firstParty,
        AuthParameters: { USERNAME: username },
        ClientMetadata: clientMetadata,
      }),
    );
  }

  answer(
    session: string | undefined,
    username: string,
    answer: string,
    clientMetadata?: Record<string, string>,
    clientId?: string,
  ) {
    return this.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId ?? this.identity.clientIds.firstParty,
        ChallengeName: 'CUSTOM_CHALLENGE',
        Session: session,
        ChallengeResponses: { USERNAME: username, ANSWER: answer },
        ClientMetadata: clientMetadata,
      }),
    );
  }
}

const last = (event: DefineAuthChallengeTriggerEvent) => event.request.session.at(-1);

/** Define's three answers: fail the sign-in, issue tokens, or present a custom challenge. */
function decide(event: DefineAuthChallengeTriggerEvent, outcome: 'fail' | 'tokens' | 'challenge') {
  event.response.issueTokens = outcome === 'tokens';
  event.response.failAuthentication = outcome === 'fail';
  if (outcome === 'challenge') event.response.challengeName = 'CUSTOM_CHALLENGE';
  return Promise.resolve(event);
}

/**
 * The define sample of Cognito's developer guide, after its password steps: one custom challenge,
 * tokens when it was answered right, otherwise the sign-in fails.
 */
export const defineOneChallenge: TriggerHandler = (input) => {
  const event = input as DefineAuthChallengeTriggerEvent;
  const { session } = event.request;
  if (session.length === 0) return decide(event, 'challenge');
  const answered = session.length === 1 && last(event)?.challengeName === 'CUSTOM_CHALLENGE';
  return decide(event, answered && last(event)?.challengeResult ? 'tokens' : 'fail');
};

/** The scenario of the AWS SDK examples: two custom challenges in a row, then tokens. */
export const defineTwoChallenges: TriggerHandler = (input) => {
  const event = input as DefineAuthChallengeTriggerEvent;
  const { session } = event.request;
  const allRight = session.every((s) => s.challengeName === 'CUSTOM_CHALLENGE' && s.challengeResult);
  if (!allRight || session.length > 2) return decide(event, 'fail');
  return decide(event, session.length === 2 ? 'tokens' : 'challenge');
};

/** AWS's passwordless sample: up to three tries at the one custom challenge. */
export const defineThreeTries: TriggerHandler = (input) => {
  const event = input as DefineAuthChallengeTriggerEvent;
  const { session } = event.request;
  if (session.some((s) => s.challengeName !== 'CUSTOM_CHALLENGE')) return decide(event, 'fail');
  if (session.length >= 3 && last(event)?.challengeResult === false) return decide(event, 'fail');
  return decide(event, last(event)?.challengeResult === true ? 'tokens' : 'challenge');
};

/** The create samples: a CAPTCHA whose answer is 5, then the scenario's mascot question. */
export const createCaptchaThenMascot: TriggerHandler = (input) => {
  const event = input as CreateAuthChallengeTriggerEvent;
  if (event.request.challengeName !== 'CUSTOM_CHALLENGE') return Promise.resolve(event);
  const round = event.request.session.filter((s) => s.challengeResult).length;
  event.response =
    round === 0
      ? {
          publicChallengeParameters: { captchaUrl: 'url/123.jpg' },
          privateChallengeParameters: { answer: '5' },
          challengeMetadata: 'CAPTCHA_CHALLENGE',
        }
      : {
          publicChallengeParameters: { securityQuestion: 'Who is your favorite team mascot?' },
          privateChallengeParameters: { answer: 'Peccy' },
          challengeMetadata: 'MASCOT_CHALLENGE',
        };
  return Promise.resolve(event);
};

/** The verify sample: the answer is right when it equals the private `answer`. */
export const verifyAnswer: TriggerHandler = (input) => {
  const event = input as VerifyAuthChallengeResponseTriggerEvent;
  event.response.answerCorrect =
    event.request.privateChallengeParameters.answer === event.request.challengeAnswer;
  return Promise.resolve(event);
};

export const echo: TriggerHandler = (event) => Promise.resolve(event);
