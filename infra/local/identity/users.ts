// Users of the local pool with email as username: the generated username is the `sub` (a UUID), a
// user signs in with either, the email case-insensitively; the attribute schema Plinth's pool
// declares; and the user shapes Cognito answers with.
import { mfaSettingsOf } from './mfa.ts';
import { CognitoError, userDoesNotExist } from './protocol.ts';
import type { PoolState, UserRecord } from './state.ts';

export interface AttributeInput {
  Name: string;
  Value?: string | undefined;
}

const standardAttributes = new Set([
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);

/** The custom attributes Plinth's user pool declares (infra/stacks). */
const customAttributes = new Set(['custom:tenant_id']);

const booleanAttributes = new Set(['email_verified', 'phone_number_verified']);

export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

/** The user a username or an email names. */
export function findUser(state: PoolState, name: string): UserRecord | undefined {
  const wanted = name.toLowerCase();
  return (
    state.users[wanted] ??
    Object.values(state.users).find((user) => user.attributes.email?.toLowerCase() === wanted)
  );
}

export function requireUser(state: PoolState, name: string): UserRecord {
  const user = findUser(state, name);
  if (!user) throw userDoesNotExist();
  return user;
}

/** Another user already holding this email, which email-as-username makes unique. */
export function emailTaken(state: PoolState, email: string, except?: string): boolean {
  const wanted = email.toLowerCase();
  return Object.values(state.users).some(
    (user) => user.username !== except && user.attributes.email?.toLowerCase() === wanted,
  );
}

/** Attributes from a request, checked against the pool's schema; `sub` is never writable. */
export function readAttributes(list: readonly AttributeInput[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of list) {
    if (Name === 'sub') {
      throw new CognitoError('InvalidParameterException', 'Cannot modify an immutable attribute: sub');
    }
    if (!standardAttributes.has(Name) && !customAttributes.has(Name)) {
      throw new CognitoError(
        'InvalidParameterException',
        `Attributes did not conform to the schema: ${Name}: Attribute does not exist in the schema.`,
      );
    }
    const value = Value ?? '';
    if (booleanAttributes.has(Name) && !['true', 'false'].includes(value.toLowerCase())) {
      throw new CognitoError(
        'InvalidParameterException',
        `Invalid value for ${Name}: must be true or false.`,
      );
    }
    if (Name === 'email' && !isEmail(value)) {
      throw new CognitoError('InvalidParameterException', 'Invalid email address format.');
    }
    if (value.length > 2048) {
      throw new CognitoError('InvalidParameterException', `${Name} must be at most 2048 characters.`);
    }
    attributes[Name] = booleanAttributes.has(Name) ? value.toLowerCase() : value;
  }
  return attributes;
}

export function attributeList(
  user: UserRecord,
  only?: readonly string[],
): Array<{ Name: string; Value: string }> {
  return Object.entries(user.attributes)
    .filter(([name]) => !only || only.includes(name))
    .map(([Name, Value]) => ({ Name, Value }));
}

const epochSeconds = (ms: number): number => ms / 1000;

/** Cognito's UserType (AdminCreateUser, ListUsers). */
export function userType(user: UserRecord, only?: readonly string[]) {
  return {
    Username: user.username,
    Attributes: attributeList(user, only),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

/** AdminGetUser's answer. */
export function adminUserDetail(user: UserRecord) {
  const { Attributes, ...rest } = userType(user);
  return { ...rest, UserAttributes: Attributes, ...mfaSettingsOf(user) };
}
