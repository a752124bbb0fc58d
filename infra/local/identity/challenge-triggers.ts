// The custom authentication challenge triggers (define, create, verify) as Cognito invokes them:
// the events with its shapes, and their answers read as Cognito reads them. A pool whose client
// hides user existence (every Plinth client does) runs them for unknown users too, with userNotFound.
import type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import * as z from 'zod';
import { CognitoError } from './protocol.ts';
import type { UserRecord } from './state.ts';
import {
  callerFields,
  lambdaOutputOf,
  runTrigger,
  triggerUserAttributes,
  type TriggerCall,
  type TriggerName,
} from './triggers.ts';

/** The user a custom sign-in is for: `user` is undefined when the name matched no one. */
export interface ChallengeCall extends Omit<TriggerCall, 'user'> {
  userName: string;
  user: UserRecord | undefined;
}

/** One challenge of the session Define and Create read: its name, result and metadata. */
export type SessionEntry = DefineAuthChallengeTriggerEvent['request']['session'][number];
type Metadata = Record<string, string> | undefined;

const notConfigured = () =>
  new CognitoError(
    'InvalidParameterException',
    'Custom auth lambda trigger is not configured for the user pool.',
  );

function requestFields(call: ChallengeCall, clientMetadata: Metadata) {
  return {
    userAttributes: call.user ? triggerUserAttributes(call.user) : {},
    userNotFound: call.user === undefined,
    ...(clientMetadata ? { clientMetadata } : {}),
  };
}

async function invoke<S extends z.ZodType>(
  call: ChallengeCall,
  trigger: TriggerName,
  label: string,
  event: unknown,
  schema: S,
): Promise<z.output<S>> {
  const output = await runTrigger(call, trigger, label, event, 'UserLambdaValidationException');
  if (output === undefined) throw notConfigured();
  return lambdaOutputOf(schema, output);
}

const defineOutput = z.object({
  response: z.object({
    challengeName: z.string().nullish(),
    issueTokens: z.boolean().nullish(),
    failAuthentication: z.boolean().nullish(),
  }),
});

export type DefineAnswer = { kind: 'fail' } | { kind: 'tokens' } | { kind: 'challenge'; name: string };

/** Define Auth Challenge: whether to fail, issue tokens, or present the challenge it names. */
export async function runDefineAuthChallenge(
  call: ChallengeCall,
  session: readonly SessionEntry[],
  clientMetadata: Metadata,
): Promise<DefineAnswer> {
  const event: DefineAuthChallengeTriggerEvent = {
    version: '1',
    triggerSource: 'DefineAuthChallenge_Authentication',
    ...callerFields(call, call.userName),
    request: { ...requestFields(call, clientMetadata), session: [...session] },
    response: { issueTokens: false, failAuthentication: false },
  };
  const { response } = await invoke(call, 'defineAuthChallenge', 'DefineAuthChallenge', event, defineOutput);
  if (response.failAuthentication) return { kind: 'fail' };
  if (response.issueTokens) return { kind: 'tokens' };
  return { kind: 'challenge', name: response.challengeName ?? '' };
}

const stringMap = z.record(z.string(), z.string());
const createOutput = z.object({
  response: z.object({
    publicChallengeParameters: stringMap.nullish(),
    privateChallengeParameters: stringMap.nullish(),
    challengeMetadata: z.string().nullish(),
  }),
});

export interface CreatedChallenge {
  publicChallengeParameters: Record<string, string>;
  privateChallengeParameters: Record<string, string>;
  challengeMetadata: string | undefined;
}

/** Create Auth Challenge: what the client is shown, and what only verify sees. */
export async function runCreateAuthChallenge(
  call: ChallengeCall,
  challengeName: string,
  session: readonly SessionEntry[],
  clientMetadata: Metadata,
): Promise<CreatedChallenge> {
  const event: CreateAuthChallengeTriggerEvent = {
    version: '1',
    triggerSource: 'CreateAuthChallenge_Authentication',
    ...callerFields(call, call.userName),
    request: { ...requestFields(call, clientMetadata), challengeName, session: [...session] },
    response: { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: '' },
  };
  const { response } = await invoke(call, 'createAuthChallenge', 'CreateAuthChallenge', event, createOutput);
  return {
    publicChallengeParameters: response.publicChallengeParameters ?? {},
    privateChallengeParameters: response.privateChallengeParameters ?? {},
    challengeMetadata: response.challengeMetadata || undefined,
  };
}

const verifyOutput = z.object({ response: z.object({ answerCorrect: z.boolean().nullish() }) });

/** Verify Auth Challenge Response: whether the user's answer is right. */
export async function runVerifyAuthChallengeResponse(
  call: ChallengeCall,
  privateChallengeParameters: Record<string, string>,
  challengeAnswer: string,
  clientMetadata: Metadata,
): Promise<boolean> {
  const event: VerifyAuthChallengeResponseTriggerEvent = {
    version: '1',
    triggerSource: 'VerifyAuthChallengeResponse_Authentication',
    ...callerFields(call, call.userName),
    request: { ...requestFields(call, clientMetadata), privateChallengeParameters, challengeAnswer },
    response: { answerCorrect: false },
  };
  const { response } = await invoke(
    call,
    'verifyAuthChallengeResponse',
    'VerifyAuthChallengeResponse',
    event,
    verifyOutput,
  );
  return response.answerCorrect === true;
}
