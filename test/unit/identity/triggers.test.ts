// The user pool triggers, through the identity entry with DynamoDB mocked, on events shaped as Cognito
// sends them.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type * as IdentityHandler from '../../../functions/identity/handler.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import { lambdaContext } from '../http/api-events.ts';
import { cognitoEvents, fixtureClientId, fixtureTenantId, fixtureUserId } from './fixtures/index.ts';
import { storedUser, userItem } from './items.ts';

type Trigger = (event: never, context: Context) => Promise<unknown>;
type IdentityEntry = typeof IdentityHandler;

const dynamo = mockClient(DynamoDBClient);
let handler: IdentityEntry;

const ann = userItem({
  tenantId: fixtureTenantId,
  userId: fixtureUserId,
  roles: ['owner', 'billing'],
  mfaEnrolled: true,
});

async function invoke<E>(trigger: Trigger, event: E): Promise<E> {
  return (await trigger(event as never, lambdaContext())) as E;
}

async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the trigger to refuse');
}

beforeAll(async () => {
  // As on AWS: the trigger functions cannot name the pool that invokes them, so they have no USER_POOL_ID.
  useFunctionEnv();
  delete process.env.USER_POOL_ID;
  handler = await import('../../../functions/identity/handler.ts');
});

beforeEach(() => dynamo.reset());

describe('preTokenGeneration', () => {
  it('V2: reads the user by tenant and sub and puts tenant_id, roles and mfa into access and id tokens', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser(ann) });

    const event = await invoke(handler.preTokenGeneration, cognitoEvents.tokenV2Authentication());

    const claims = { tenant_id: fixtureTenantId, roles: 'owner billing', mfa: 'true' };
    expect(event.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: claims },
      accessTokenGeneration: { claimsToAddOrOverride: claims },
    });
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      pk: `T#${fixtureTenantId}`,
      sk: `USER#${fixtureUserId}`,
    });
  });

  it("V2: a user without TOTP gets mfa 'false'", async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser({ ...ann, mfaEnrolled: false }) });

    const event = await invoke(handler.preTokenGeneration, cognitoEvents.tokenV2Authentication());

    expect(
      event.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride?.mfa,
    ).toBe('false');
  });

  it('V2 refresh: a user deactivated since signing in gets no new tokens', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser({ ...ann, status: 'deactivated' }) });

    expect(await refusal(invoke(handler.preTokenGeneration, cognitoEvents.tokenV2Refresh()))).toBe(
      'Sign-in is not allowed.',
    );
  });

  it('V1: the claims go into the id token override', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser(ann) });

    const event = await invoke(handler.preTokenGeneration, cognitoEvents.tokenV1Authentication());

    expect(event.response.claimsOverrideDetails).toEqual({
      claimsToAddOrOverride: { tenant_id: fixtureTenantId, roles: 'owner billing', mfa: 'true' },
    });
  });
});

describe('preAuthentication', () => {
  it('lets an active user sign in', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser(ann) });

    const event = await invoke(handler.preAuthentication, cognitoEvents.preAuthentication());

    expect(event.response).toEqual({});
  });

  it('refuses a deactivated user and an unknown one with the same message', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: storedUser({ ...ann, status: 'deactivated' }) })
      .resolvesOnce({});

    const deactivated = await refusal(invoke(handler.preAuthentication, cognitoEvents.preAuthentication()));
    const unknown = await refusal(invoke(handler.preAuthentication, cognitoEvents.preAuthentication()));

    expect([deactivated, unknown]).toEqual(['Sign-in is not allowed.', 'Sign-in is not allowed.']);
  });

  it('refuses a pool user with no tenant without reading the table', async () => {
    const event = cognitoEvents.preAuthentication();
    delete event.request.userAttributes['custom:tenant_id'];

    expect(await refusal(invoke(handler.preAuthentication, event))).toBe('Sign-in is not allowed.');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });
});

describe('postAuthentication', () => {
  it('records lastSignInAt and auth.signed_in in one transaction', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    await invoke(handler.postAuthentication, cognitoEvents.postAuthentication());

    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['Update', 'Put']);
    expect(items[0]?.Update?.Key).toEqual({ pk: `T#${fixtureTenantId}`, sk: `USER#${fixtureUserId}` });
    expect(items[1]?.Put?.Item).toMatchObject({
      type: 'auth.signed_in',
      data: { userId: fixtureUserId, clientId: fixtureClientId },
    });
  });

  it('does not fail the sign-in when the user item is gone', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    const event = await invoke(handler.postAuthentication, cognitoEvents.postAuthentication());

    expect(event.triggerSource).toBe('PostAuthentication_Authentication');
  });
});
