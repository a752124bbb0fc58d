// The invitations entry with DynamoDB and Cognito mocked: how accepting drives the user pool, what a
// failed transaction undoes, and how requests become HTTP answers.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InvalidPasswordException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createInvitationEntities, type InvitationItem } from '../../../functions/invitations/entities.ts';
import { hashInvitationToken } from '../../../functions/invitations/tokens.ts';
import { builtInRoles } from '../../../libs/auth/roles.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import { tenantItem } from '../../support/items.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../http/api-events.ts';

const dynamo = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
let api: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const tenantId = 'ten_01J00000000000000000000000';
const token = `pit_${'x'.repeat(43)}`;
const shapes = createInvitationEntities({
  client: new DynamoDBClient({ region: 'us-east-1' }),
  tableName: 'plinth-unit',
  directoryTableName: 'plinth-unit-directory',
});

const invitation: InvitationItem = {
  tenantId,
  invitationId: 'inv_01J00000000000000000000001',
  email: 'ada@example.com',
  roles: ['admin'],
  status: 'pending',
  tokenHash: hashInvitationToken(token),
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  invitedBy: 'user:owner',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const storedInvitation = shapes.invitation.create(invitation).params().Item as Record<string, unknown>;
const storedTenant = shapes.tenant.create(tenantItem({ tenantId, activeUsers: 3 })).params().Item as Record<
  string,
  unknown
>;

beforeAll(async () => {
  useFunctionEnv({ USER_POOL_ID: 'us-east-1_TestPool1' });
  ({ api } = await import('../../../functions/invitations/handler.ts'));
});

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  dynamo.on(QueryCommand, { IndexName: 'gsi2' }).resolves({ Items: [storedInvitation] });
  dynamo.on(QueryCommand, { IndexName: 'gsi1' }).resolves({ Items: [] });
  dynamo.on(GetCommand).resolves({ Item: storedTenant });
  cognito.on(AdminCreateUserCommand).resolves({
    User: { Username: 'pool-username-1', Attributes: [{ Name: 'sub', Value: 'sub-1' }] },
  });
  cognito.on(AdminSetUserPasswordCommand).resolves({});
});

const acceptBody = { token, name: 'Ada Lovelace', password: 'Correct-Horse-42' };

function acceptEvent(body: unknown = acceptBody) {
  return apiEvent({ method: 'POST', path: '/v1/invitations/accept', body });
}

function cancelled(reasons: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons.map((Code) => ({ Code })),
  });
}

describe('accepting an invitation', () => {
  it('creates the pool user with a verified email and a permanent password, then writes the user, seat and events at once', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const res = await api(acceptEvent(), lambdaContext());

    expect(res.statusCode).toBe(201);
    expect(json(res.body)).toEqual({
      tenantId,
      invitationId: invitation.invitationId,
      user: { id: 'sub-1', email: 'ada@example.com', name: 'Ada Lovelace', roles: ['admin'] },
    });
    const created = cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input;
    expect(created).toMatchObject({ UserPoolId: 'us-east-1_TestPool1', MessageAction: 'SUPPRESS' });
    expect(created.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Ada Lovelace' },
        { Name: 'custom:tenant_id', Value: tenantId },
      ]),
    );
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)[0]!.args[0].input).toMatchObject({
      Username: 'pool-username-1',
      Password: 'Correct-Horse-42',
      Permanent: true,
    });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => (i.Put?.Item?.__edb_e__ as string) ?? i.Update?.Key?.sk)).toEqual([
      'user',
      `INV#${invitation.invitationId}`,
      'TENANT',
      'event',
      'event',
    ]);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
  });

  it('a seat limit hit in the transaction is 409 plan_limit_reached and deletes the pool user again', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejects(cancelled(['None', 'None', 'ConditionalCheckFailed', 'None', 'None']));

    const res = await api(acceptEvent(), lambdaContext());

    expect([res.statusCode, json(res.body).code]).toEqual([409, 'plan_limit_reached']);
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'us-east-1_TestPool1',
      Username: 'pool-username-1',
    });
  });

  it('an invitation used meanwhile is 409 invitation_used and deletes the pool user again', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejects(cancelled(['None', 'ConditionalCheckFailed', 'None', 'None', 'None']));
    dynamo
      .on(GetCommand, { Key: { pk: `T#${tenantId}`, sk: `INV#${invitation.invitationId}` } })
      .resolves({ Item: { ...storedInvitation, status: 'accepted' } });

    const res = await api(acceptEvent(), lambdaContext());

    expect([res.statusCode, json(res.body).code]).toEqual([409, 'invitation_used']);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(1);
  });

  it('a password the pool refuses is a 400 on body.password, and the half-made pool user is deleted', async () => {
    cognito
      .on(AdminSetUserPasswordCommand)
      .rejects(new InvalidPasswordException({ message: 'Password not long enough', $metadata: {} }));

    const res = await api(acceptEvent(), lambdaContext());

    expect(res.statusCode).toBe(400);
    expect(json(res.body).errors).toEqual([
      expect.objectContaining({ path: 'body.password', code: 'weak_password' }),
    ]);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('an email the pool already has is 409 email_in_use', async () => {
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));

    const res = await api(acceptEvent(), lambdaContext());

    expect([res.statusCode, json(res.body).code]).toEqual([409, 'email_in_use']);
  });

  it('a weak password is refused before anything is read or created', async () => {
    const res = await api(acceptEvent({ ...acceptBody, password: 'short' }), lambdaContext());

    expect(res.statusCode).toBe(400);
    expect((json(res.body).errors as Array<{ path: string }>).map((e) => e.path)).toContain('body.password');
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('a token that is not an invitation token is 404 invitation_not_found without a lookup', async () => {
    const res = await api(acceptEvent({ ...acceptBody, token: 'nope' }), lambdaContext());

    expect([res.statusCode, json(res.body).code]).toEqual([404, 'invitation_not_found']);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('invitation routes', () => {
  it('inviting needs invitations:write', async () => {
    const res = await api(
      apiEvent({
        method: 'POST',
        path: '/v1/invitations',
        caller: tenantCaller(['invitations:read'], tenantId),
        body: { email: 'b@example.com', roles: ['member'] },
      }),
      lambdaContext(),
    );

    expect([res.statusCode, json(res.body).code]).toEqual([403, 'permission_denied']);
  });

  it('a bulk request answers 202 with the job and its Location', async () => {
    dynamo.on(PutCommand).resolves({});

    const res = await api(
      apiEvent({
        method: 'POST',
        path: '/v1/invitations/bulk',
        // Auditor's permissions include member's, so this key may grant both roles.
        caller: tenantCaller(['invitations:write', ...builtInRoles.auditor.permissions], tenantId),
        body: { invitations: [{ email: 'a@example.com' }, { email: 'not-an-email', roles: ['auditor'] }] },
      }),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(202);
    const body = json(res.body);
    expect(body).toMatchObject({ kind: 'invitations.bulk', status: 'queued', progress: { total: 2 } });
    expect(res.headers?.location).toBe(`/v1/jobs/${String(body.id)}`);
    const job = dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(job.input).toMatchObject({
      rows: [
        { email: 'a@example.com', roles: ['member'] },
        { email: 'not-an-email', roles: ['auditor'] },
      ],
    });
  });

  it('a bulk request over 1,000 rows is a 400', async () => {
    const res = await api(
      apiEvent({
        method: 'POST',
        path: '/v1/invitations/bulk',
        caller: tenantCaller(['invitations:write'], tenantId),
        body: { invitations: Array.from({ length: 1001 }, (_, i) => ({ email: `p${i}@example.com` })) },
      }),
      lambdaContext(),
    );

    expect([res.statusCode, json(res.body).code]).toEqual([400, 'validation_failed']);
  });

  it("an invitation is read only within the caller's tenant: another tenant's id is a 404", async () => {
    dynamo.on(GetCommand).resolves({});
    const otherTenant = 'ten_01J0000000000000000000OTHR';

    const res = await api(
      apiEvent({
        method: 'GET',
        path: `/v1/invitations/${invitation.invitationId}`,
        caller: tenantCaller(['invitations:read'], otherTenant),
      }),
      lambdaContext(),
    );

    expect([res.statusCode, json(res.body).code]).toEqual([404, 'not_found']);
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({
      pk: `T#${otherTenant}`,
      sk: `INV#${invitation.invitationId}`,
    });
  });

  it('the resource never shows the token hash', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedInvitation });

    const res = await api(
      apiEvent({
        method: 'GET',
        path: `/v1/invitations/${invitation.invitationId}`,
        caller: tenantCaller(['invitations:read'], tenantId),
      }),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ id: invitation.invitationId, status: 'pending' });
    expect(res.body).not.toContain(invitation.tokenHash);
  });
});
