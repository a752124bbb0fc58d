// Cognito's JSON 1.1 protocol as the local issuer speaks it: the error names the service uses (the SDK
// turns `__type` into the exception class), and request bodies validated as the service does.
import type * as z from 'zod';

export type CognitoErrorType =
  | 'AliasExistsException'
  | 'CodeMismatchException'
  | 'EnableSoftwareTokenMFAException'
  | 'ExpiredCodeException'
  | 'InvalidLambdaResponseException'
  | 'InvalidParameterException'
  | 'InvalidPasswordException'
  | 'NotAuthorizedException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'UnauthorizedException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'UserLambdaValidationException'
  | 'UserNotFoundException'
  | 'UsernameExistsException';

/** A refusal the caller sees as the named Cognito exception (HTTP 400). */
export class CognitoError extends Error {
  constructor(
    readonly type: CognitoErrorType,
    message: string,
  ) {
    super(message);
  }
}

export const userDoesNotExist = (): CognitoError =>
  new CognitoError('UserNotFoundException', 'User does not exist.');

export const userIsDisabled = (): CognitoError =>
  new CognitoError('NotAuthorizedException', 'User is disabled.');

export const incorrectCredentials = (): CognitoError =>
  new CognitoError('NotAuthorizedException', 'Incorrect username or password.');

/** A challenge session that is unknown, used already or past its three minutes. */
export const expiredSession = (): CognitoError =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');

/** A member of AuthParameters or ChallengeResponses that the flow needs. */
export function required(parameters: Record<string, string>, name: string): string {
  const value = parameters[name];
  if (value === undefined || value === '') {
    throw new CognitoError('InvalidParameterException', `Missing required parameter ${name}`);
  }
  return value;
}

/** The body of one operation, or an InvalidParameterException naming the first member that is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const member = issue?.path.map(String).join('.') || 'request';
  throw new CognitoError(
    'InvalidParameterException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
  );
}
