// The administrator's operations the identity context calls with AWS credentials: create, read,
// change, disable, enable and delete users, set passwords and MFA, sign users out everywhere, and
// ListUsers with its filter and pagination.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { applyMfaPreference, mfaPreferenceMembers } from './mfa.ts';
import { assertPasswordPolicy, hashPassword, temporaryPassword } from './passwords.ts';
import { assertUserPool, deleteSessions, revokeSessions, type LocalPool } from './pool.ts';
import { CognitoError, parseInput } from './protocol.ts';
import type { UserRecord } from './state.ts';
import { compileUserFilter } from './user-filter.ts';
import { adminUserDetail, emailTaken, isEmail, readAttributes, requireUser, userType } from './users.ts';

const temporaryPasswordMs = 7 * 24 * 3600 * 1000;
const listLimit = 60;

const attributeList = z.array(z.object({ Name: z.string().min(1), Value: z.string().optional() }));
const userInput = z.object({ UserPoolId: z.string(), Username: z.string().min(1) });

const createUserInput = userInput.extend({
  UserAttributes: attributeList.default([]),
  TemporaryPassword: z.string().optional(),
  MessageAction: z.enum(['SUPPRESS', 'RESEND']).optional(),
});
const setPasswordInput = userInput.extend({ Password: z.string(), Permanent: z.boolean().default(false) });
const updateAttributesInput = userInput.extend({ UserAttributes: attributeList });
const mfaPreferenceInput = userInput.extend(mfaPreferenceMembers);
const listUsersInput = z.object({
  UserPoolId: z.string(),
  AttributesToGet: z.array(z.string()).optional(),
  Limit: z.number().int().min(0).max(listLimit).optional(),
  PaginationToken: z.string().optional(),
  Filter: z.string().optional(),
});

const emailExists = () =>
  new CognitoError('UsernameExistsException', 'An account with the given email already exists.');

export function createAdminOperations(pool: LocalPool) {
  /** Parses an admin request and finds its user in this pool. */
  function userOf<S extends typeof userInput>(schema: S, body: unknown): [z.output<S>, UserRecord] {
    const input = parseInput(schema, body);
    assertUserPool(pool, input.UserPoolId);
    return [input, requireUser(pool.state, input.Username)];
  }

  function changed(user: UserRecord): Record<string, never> {
    user.updatedAt = pool.now();
    pool.save();
    return {};
  }

  async function adminCreateUser(body: unknown) {
    const input = parseInput(createUserInput, body);
    assertUserPool(pool, input.UserPoolId);
    if (input.MessageAction === 'RESEND') {
      throw new CognitoError(
        'UnsupportedOperationException',
        'The local user pool sends no messages to resend.',
      );
    }
    if (!isEmail(input.Username))
      throw new CognitoError('InvalidParameterException', 'Username should be an email.');
    const attributes = readAttributes(input.UserAttributes);
    if (attributes.email && attributes.email.toLowerCase() !== input.Username.toLowerCase()) {
      throw new CognitoError('InvalidParameterException', 'The email attribute must be the username.');
    }
    const password = input.TemporaryPassword ?? temporaryPassword();
    assertPasswordPolicy(password);
    const passwordHash = await hashPassword(password);
    if (emailTaken(pool.state, input.Username)) throw emailExists();
    const now = pool.now();
    const sub = randomUUID();
    const user: UserRecord = {
      username: sub,
      attributes: { sub, ...attributes, email: attributes.email ?? input.Username },
      passwordHash,
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      createdAt: now,
      updatedAt: now,
      temporaryPasswordExpiresAt: now + temporaryPasswordMs,
      totp: { enabled: false },
    };
    pool.state.users[sub] = user;
    pool.save();
    if (input.MessageAction !== 'SUPPRESS') {
      pool.log.warn(
        `local identity: Cognito would email ${input.Username} a temporary password; the local pool sends no mail (use MessageAction SUPPRESS)`,
      );
    }
    return { User: userType(user) };
  }

  async function adminSetUserPassword(body: unknown) {
    const [input, user] = userOf(setPasswordInput, body);
    assertPasswordPolicy(input.Password);
    user.passwordHash = await hashPassword(input.Password);
    user.status = input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.temporaryPasswordExpiresAt = input.Permanent ? undefined : pool.now() + temporaryPasswordMs;
    return changed(user);
  }

  function adminUpdateUserAttributes(body: unknown) {
    const [input, user] = userOf(updateAttributesInput, body);
    const attributes = readAttributes(input.UserAttributes);
    const email = attributes.email;
    if (email !== undefined && email.toLowerCase() !== user.attributes.email?.toLowerCase()) {
      if (emailTaken(pool.state, email, user.username)) {
        throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
      }
      // A new address is unverified unless the same request says otherwise.
      attributes.email_verified ??= 'false';
    }
    for (const [name, value] of Object.entries(attributes)) {
      if (value === '') delete user.attributes[name];
      else user.attributes[name] = value;
    }
    return changed(user);
  }

  function setEnabled(enabled: boolean) {
    return (body: unknown) => {
      const [, user] = userOf(userInput, body);
      user.enabled = enabled;
      // Cognito revokes a disabled user's tokens.
      if (!enabled) revokeSessions(pool, user.username);
      return changed(user);
    };
  }

  function adminDeleteUser(body: unknown) {
    const [, user] = userOf(userInput, body);
    delete pool.state.users[user.username];
    deleteSessions(pool, user.username);
    pool.save();
    return {};
  }

  function adminUserGlobalSignOut(body: unknown) {
    const [, user] = userOf(userInput, body);
    revokeSessions(pool, user.username);
    pool.save();
    return {};
  }

  function adminSetUserMFAPreference(body: unknown) {
    const [input, user] = userOf(mfaPreferenceInput, body);
    applyMfaPreference(user, input);
    return changed(user);
  }

  function adminGetUser(body: unknown) {
    const [, user] = userOf(userInput, body);
    return adminUserDetail(user);
  }

  function listUsers(body: unknown) {
    const input = parseInput(listUsersInput, body);
    assertUserPool(pool, input.UserPoolId);
    const matches = compileUserFilter(input.Filter);
    const ordered = Object.values(pool.state.users).sort(
      (a, b) => a.createdAt - b.createdAt || a.username.localeCompare(b.username),
    );
    let start = 0;
    if (input.PaginationToken !== undefined) {
      const after = Buffer.from(input.PaginationToken, 'base64url').toString('utf8');
      start = ordered.findIndex((user) => user.username === after) + 1;
      if (start === 0) throw new CognitoError('InvalidParameterException', 'Invalid pagination token.');
    }
    const limit = input.Limit || listLimit;
    const page: UserRecord[] = [];
    let index = start;
    for (; index < ordered.length && page.length < limit; index++) {
      if (matches(ordered[index]!)) page.push(ordered[index]!);
    }
    const more = ordered.slice(index).some(matches);
    return {
      Users: page.map((user) => userType(user, input.AttributesToGet)),
      ...(more ? { PaginationToken: Buffer.from(page.at(-1)!.username).toString('base64url') } : {}),
    };
  }

  return {
    AdminCreateUser: adminCreateUser,
    AdminSetUserPassword: adminSetUserPassword,
    AdminGetUser: adminGetUser,
    AdminUpdateUserAttributes: adminUpdateUserAttributes,
    AdminDisableUser: setEnabled(false),
    AdminEnableUser: setEnabled(true),
    AdminDeleteUser: adminDeleteUser,
    AdminUserGlobalSignOut: adminUserGlobalSignOut,
    AdminSetUserMFAPreference: adminSetUserMFAPreference,
    ListUsers: listUsers,
  };
}
