// The user pool's Lambda triggers on one machine: the events Cognito sends, with its shapes and
// versions, handed to the same exports the identity manifest declares, and the parts of their
// answers that change what Cognito does. A trigger that throws fails the operation as on AWS.
import type {
  PostAuthenticationTriggerEvent,
  PreAuthenticationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import * as z from 'zod';
import type { TriggerDeclaration } from '../../../libs/manifest/types.ts';
import { CognitoError } from './protocol.ts';
import type { UserRecord } from './state.ts';
import { noOverrides, type TokenOverrides } from './tokens.ts';

export type TriggerName = TriggerDeclaration['trigger'];

/** Runs the export declared for `trigger`; undefined when no context declares one. */
export type InvokeTrigger = (trigger: TriggerName, event: unknown) => Promise<unknown> | undefined;

export interface TriggerCall {
  invoke: InvokeTrigger;
  region: string;
  userPoolId: string;
  clientId: string;
  user: UserRecord;
}

/** What Cognito puts in `callerContext.awsSdkVersion` for calls it cannot attribute to an SDK. */
const unknownSdk = 'aws-sdk-unknown-unknown';

/** The fields every trigger event starts with, for the user named `userName`. */
export function callerFields(call: Omit<TriggerCall, 'user'>, userName: string) {
  return {
    region: call.region,
    userPoolId: call.userPoolId,
    userName,
    callerContext: { awsSdkVersion: unknownSdk, clientId: call.clientId },
  };
}

const commonFields = (call: TriggerCall) => callerFields(call, call.user.username);

/** `request.userAttributes`: the attributes plus the user's status, all strings. */
export function triggerUserAttributes(user: UserRecord): Record<string, string> {
  return { ...user.attributes, 'cognito:user_status': user.status };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Cognito expects the event object back; anything that is not an object fails the operation. */
const lambdaOutput = z.looseObject({});

/**
 * Invokes `trigger` and returns its answer, undefined when none is declared. A trigger that throws
 * fails the operation with `failure`, as Cognito names it, and `label` in the message.
 */
export async function runTrigger(
  call: Pick<TriggerCall, 'invoke'>,
  trigger: TriggerName,
  label: string,
  event: unknown,
  failure: 'NotAuthorizedException' | 'UserLambdaValidationException',
): Promise<unknown> {
  const pending = call.invoke(trigger, event);
  if (pending === undefined) return undefined;
  let output: unknown;
  try {
    output = await pending;
  } catch (error) {
    throw new CognitoError(failure, `${label} failed with error ${errorMessage(error)}.`);
  }
  if (!lambdaOutput.safeParse(output).success) {
    throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
  return output;
}

/** Before the password check's result is returned; an error refuses the sign-in. */
export async function runPreAuthentication(call: TriggerCall, clientMetadata?: Record<string, string>) {
  const event: PreAuthenticationTriggerEvent = {
    version: '1',
    triggerSource: 'PreAuthentication_Authentication',
    ...commonFields(call),
    request: {
      userAttributes: triggerUserAttributes(call.user),
      ...(clientMetadata ? { validationData: clientMetadata } : {}),
    },
    response: {},
  };
  await runTrigger(call, 'preAuthentication', 'PreAuthentication', event, 'NotAuthorizedException');
}

/** After the password (and MFA) checks, before tokens are issued. */
export async function runPostAuthentication(call: TriggerCall, clientMetadata?: Record<string, string>) {
  const event: PostAuthenticationTriggerEvent = {
    version: '1',
    triggerSource: 'PostAuthentication_Authentication',
    ...commonFields(call),
    request: {
      userAttributes: triggerUserAttributes(call.user),
      newDeviceUsed: false,
      ...(clientMetadata ? { clientMetadata } : {}),
    },
    response: {},
  };
  await runTrigger(call, 'postAuthentication', 'PostAuthentication', event, 'UserLambdaValidationException');
}

const claimChanges = {
  claimsToAddOrOverride: z.record(z.string(), z.unknown()).nullish(),
  claimsToSuppress: z.array(z.string()).nullish(),
};

const preTokenGenerationOutput = z.object({
  response: z
    .object({
      claimsAndScopeOverrideDetails: z
        .object({
          idTokenGeneration: z.object(claimChanges).nullish(),
          accessTokenGeneration: z
            .object({
              ...claimChanges,
              scopesToAdd: z.array(z.string()).nullish(),
              scopesToSuppress: z.array(z.string()).nullish(),
            })
            .nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

/** A trigger's answer read with `schema`; what Cognito would not recognise is an error, as there. */
export function lambdaOutputOf<S extends z.ZodType>(schema: S, output: unknown): z.output<S> {
  const parsed = schema.safeParse(output);
  if (!parsed.success) {
    throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
  return parsed.data;
}

/** The V2 response as token changes. */
export function tokenOverridesOf(output: unknown): TokenOverrides {
  const details = lambdaOutputOf(preTokenGenerationOutput, output).response?.claimsAndScopeOverrideDetails;
  const access = details?.accessTokenGeneration;
  const id = details?.idTokenGeneration;
  return {
    access: {
      claimsToAddOrOverride: access?.claimsToAddOrOverride ?? {},
      claimsToSuppress: access?.claimsToSuppress ?? [],
      scopesToAdd: access?.scopesToAdd ?? [],
      scopesToSuppress: access?.scopesToSuppress ?? [],
    },
    id: {
      claimsToAddOrOverride: id?.claimsToAddOrOverride ?? {},
      claimsToSuppress: id?.claimsToSuppress ?? [],
    },
  };
}

export type TokenGenerationSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_RefreshTokens';

/** Pre Token Generation V2, for every token issue: sign-in and refresh. */
export async function runPreTokenGeneration(
  call: TriggerCall,
  source: TokenGenerationSource,
  scopes: readonly string[],
  clientMetadata?: Record<string, string>,
): Promise<TokenOverrides> {
  const event: PreTokenGenerationV2TriggerEvent = {
    version: '2',
    triggerSource: source,
    ...commonFields(call),
    request: {
      userAttributes: triggerUserAttributes(call.user),
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] },
      scopes: [...scopes],
      ...(clientMetadata ? { clientMetadata } : {}),
    },
    response: { claimsAndScopeOverrideDetails: {} },
  };
  const output = await runTrigger(
    call,
    'preTokenGeneration',
    'PreTokenGeneration',
    event,
    'UserLambdaValidationException',
  );
  return output === undefined ? noOverrides : tokenOverridesOf(output);
}
