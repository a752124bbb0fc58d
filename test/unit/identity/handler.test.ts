// The identity routes with DynamoDB and Cognito mocked: what reaches the user pool, and when nothing
// does.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { useFunctionEnv } from '../../support/function-env.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../http/api-events.ts';
import { storedUser, userCaller, userItem } from './items.ts';

const userPoolId = 'us-east-1_Ab12Cd34E';
const dynamo = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
let api: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const ann = userItem({ roles: ['owner'] });
const bob = userItem({
  userId: '0b0b0b0b-1111-4222-8333-444455556666',
  email: 'bob@acme.test',
  roles: ['admin'],
});
const accessToken = 'eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ4In0.c2ln';

function call(method: string, path: string, caller: ReturnType<typeof userCaller>, body?: unknown) {
  return api(
    apiEvent({ method, path, caller, body, headers: { Authorization: `Bearer ${accessToken}` } }),
    lambdaContext(),
  );
}

/** Answers the Get of a user by its key from `users`. */
function usersInTable(...users: ReturnType<typeof userItem>[]) {
  dynamo.on(GetCommand).callsFake((input: { Key: { sk: string } }) => {
    const user = users.find((u) => `USER#${u.userId}` === input.Key.sk);
    return user ? { Item: storedUser(user) } : {};
  });
}

beforeAll(async () => {
  useFunctionEnv({ USER_POOL_ID: userPoolId });
  ({ api } = await import('../../../functions/identity/handler.ts'));
});

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
});

describe('identity handler: /v1/me', () => {
  it('answers the signed-in user with their tenant, permissions and MFA state', async () => {
    usersInTable(ann);

    const res = await call('GET', '/v1/me', userCaller(ann, { mfaPending: true }));

    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({
      id: ann.userId,
      email: ann.email,
      tenantId: ann.tenantId,
      roles: ['owner'],
      mfaRequired: true,
    });
    expect(json(res.body).permissions).toContain('users:write');
  });

  it('an API key has no user: 403 user_credential_required', async () => {
    const res = await call('GET', '/v1/me', tenantCaller(['self:read'], ann.tenantId));

    expect([res.statusCode, json(res.body).code]).toEqual([403, 'user_credential_required']);
  });

  it('a user held back by the MFA policy reaches /v1/me and enrolment, nothing else', async () => {
    usersInTable(ann);
    const caller = userCaller(ann, { mfaPending: true });

    const users = await call('GET', '/v1/users', caller);
    const sessions = await call('GET', '/v1/me/sessions', caller);

    expect([users.statusCode, json(users.body).code]).toEqual([403, 'mfa_required']);
    expect([sessions.statusCode, json(sessions.body).code]).toEqual([403, 'mfa_required']);
  });
});

describe('identity handler: TOTP enrolment', () => {
  it("starts enrolment with the caller's own access token and answers the secret as an otpauth URI", async () => {
    usersInTable(ann);
    cognito.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: 'JBSWY3DPEHPK3PXP' });

    const res = await call('POST', '/v1/me/mfa/totp', userCaller(ann));

    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toEqual({
      secretCode: 'JBSWY3DPEHPK3PXP',
      otpauthUri:
        'otpauth://totp/Plinth%3Aann%40acme.test?secret=JBSWY3DPEHPK3PXP&issuer=Plinth&algorithm=SHA1&digits=6&period=30',
    });
    expect(cognito.commandCalls(AssociateSoftwareTokenCommand)[0]?.args[0].input).toEqual({
      AccessToken: accessToken,
    });
  });

  it('a wrong code is 400 invalid_mfa_code and enrols nothing', async () => {
    usersInTable(ann);
    cognito
      .on(VerifySoftwareTokenCommand)
      .rejects(new CodeMismatchException({ message: 'Invalid code received for user', $metadata: {} }));

    const res = await call('POST', '/v1/me/mfa/totp/verify', userCaller(ann), { code: '123456' });

    expect([res.statusCode, json(res.body).code]).toEqual([400, 'invalid_mfa_code']);
    expect(cognito.commandCalls(AdminSetUserMFAPreferenceCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a right code makes TOTP preferred in the pool and records mfaEnrolled with auth.mfa_enrolled', async () => {
    usersInTable(ann);
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'SUCCESS' });
    cognito.on(AdminSetUserMFAPreferenceCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});

    const res = await call('POST', '/v1/me/mfa/totp/verify', userCaller(ann), { code: '123456' });

    expect(res.statusCode).toBe(200);
    expect(json(res.body).mfaEnrolled).toBe(true);
    expect(cognito.commandCalls(VerifySoftwareTokenCommand)[0]?.args[0].input).toEqual({
      AccessToken: accessToken,
      UserCode: '123456',
    });
    expect(cognito.commandCalls(AdminSetUserMFAPreferenceCommand)[0]?.args[0].input).toEqual({
      UserPoolId: userPoolId,
      Username: ann.userId,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[1]?.Put?.Item).toMatchObject({ type: 'auth.mfa_enrolled', data: { userId: ann.userId } });
  });
});

describe('identity handler: users', () => {
  it('deactivating the last active owner is 409 last_owner and tells the pool nothing', async () => {
    usersInTable(ann);
    dynamo.on(QueryCommand).resolves({ Items: [storedUser(ann)] });

    const res = await call('POST', `/v1/users/${ann.userId}/deactivate`, userCaller(ann));

    expect([res.statusCode, json(res.body).code]).toEqual([409, 'last_owner']);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('deactivating a user disables them in the pool and signs them out after the table says so', async () => {
    const member = userItem({ userId: '2c2c2c2c-1111-4222-8333-444455556666', email: 'm@acme.test' });
    usersInTable(bob, member);
    dynamo.on(TransactWriteCommand).resolves({});
    cognito.on(AdminDisableUserCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});

    const res = await call('POST', `/v1/users/${member.userId}/deactivate`, userCaller(bob));

    expect([res.statusCode, json(res.body).status]).toEqual([200, 'deactivated']);
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[1]?.Put?.Item).toMatchObject({ type: 'user.deactivated' });
    const admin = { UserPoolId: userPoolId, Username: member.userId };
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]?.args[0].input).toEqual(admin);
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)[0]?.args[0].input).toEqual(admin);
  });

  it('signing a user out everywhere revokes their refresh tokens in the pool', async () => {
    const member = userItem({ userId: '2c2c2c2c-1111-4222-8333-444455556666', email: 'm@acme.test' });
    usersInTable(bob, member);
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(TransactWriteCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});

    const all = await call('POST', `/v1/users/${member.userId}/sessions/revoke-all`, userCaller(bob));

    expect(all.statusCode).toBe(200);
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: userPoolId, Username: member.userId },
    ]);
    expect(cognito.calls()).toHaveLength(1);
  });

  it('an admin who is not an owner cannot remove the owner role: 403 owner_required', async () => {
    usersInTable(bob, ann);

    const res = await call('PATCH', `/v1/users/${ann.userId}`, userCaller(bob), { roles: ['member'] });

    expect([res.statusCode, json(res.body).code]).toEqual([403, 'owner_required']);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("deleting another tenant's user is a 404 and deletes nothing from the pool", async () => {
    usersInTable(ann);
    cognito.on(AdminGetUserCommand).resolves({
      Username: bob.userId,
      UserAttributes: [{ Name: 'custom:tenant_id', Value: 'ten_01JD00000000000000000OTHER' }],
    });

    const res = await call('DELETE', `/v1/users/${bob.userId}`, userCaller(ann));

    expect([res.statusCode, json(res.body).code]).toEqual([404, 'not_found']);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
  });

  it('a member calling an admin route is refused naming the missing permission', async () => {
    const member = userItem({ roles: ['member'] });

    const res = await call('PATCH', `/v1/users/${ann.userId}`, userCaller(member), { name: 'X' });

    expect([res.statusCode, json(res.body).permission]).toEqual([403, 'users:write']);
  });
});
