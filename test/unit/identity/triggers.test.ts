// The user pool triggers, through the identity entry with DynamoDB mocked, on events shaped as Cognito
// sends them.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type * as IdentityHandler from '../../../functions/identity/handler.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import { lambdaContext } from '../http/api-events.ts';
import { cognitoEvents, fixtureClientId, fixtureTenantId, fixtureUserId } from './fixtures/index.ts';
import { fillKey, primaryKeys } from '../../../libs/data/primary-keys.ts';
import { newSession } from '../../support/sessions.ts';
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

const signInTime = new Date('2026-06-01T12:00:00.400Z');

beforeEach(() => {
  dynamo.reset();
  vi.useFakeTimers({ now: signInTime, toFake: ['Date'] });
});

afterEach(() => vi.useRealTimers());

const sessionKey = (sessionId: string) => {
  const values = { tenantId: fixtureTenantId, userId: fixtureUserId, sessionId };
  return { pk: fillKey(primaryKeys.session.pk, values), sk: fillKey(primaryKeys.session.sk, values) };
};

function storedSession(sessionId: string, status: 'active' | 'revoked'): Record<string, unknown> {
  const session = newSession({
    tenantId: fixtureTenantId,
    userId: fixtureUserId,
    sessionId,
    authTime: Math.floor(signInTime.getTime() / 1000),
    userAgent: 'test',
    ip: '203.0.113.9',
    now: signInTime,
  });
  return { ...sessionKey(sessionId), __edb_e__: 'session', __edb_v__: '1', ...session, status };
}

/** A refresh whose client names its session in ClientMetadata, as first-party clients do. */
function refreshOf(sessionId: string) {
  const event = cognitoEvents.tokenV2Refresh();
  event.request.clientMetadata = { session_id: sessionId };
  return event;
}

describe('preTokenGeneration', () => {
  it('V2: reads the user by tenant and sub and puts tenant_id, roles and mfa into access and id tokens', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser(ann) });

    const event = await invoke(handler.preTokenGeneration, cognitoEvents.tokenV2Authentication());

    const claims = {
      tenant_id: fixtureTenantId,
      roles: 'owner billing',
      mfa: 'true',
      signed_in_at: String(signInTime.getTime()),
    };
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

  it('V2 refresh: tokens keep the claims but not the sign-in time, which the refresh cannot know', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser(ann) });

    const event = await invoke(handler.preTokenGeneration, cognitoEvents.tokenV2Refresh());

    expect(event.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual(
      { tenant_id: fixtureTenantId, roles: 'owner billing', mfa: 'true' },
    );
  });

  it('V2 refresh: a refresh naming a revoked session gets no new tokens', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: storedUser(ann) })
      .resolvesOnce({ Item: storedSession('origin-revoked', 'revoked') });

    const refused = await refusal(invoke(handler.preTokenGeneration, refreshOf('origin-revoked')));

    expect(refused).toBe('The session has been revoked; sign in again.');
    expect(dynamo.commandCalls(GetCommand)[1]?.args[0].input.Key).toEqual(sessionKey('origin-revoked'));
  });

  it('V2 refresh: a refresh naming an active session, or one the API has not seen yet, is allowed', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: storedUser(ann) })
      .resolvesOnce({ Item: storedSession('origin-active', 'active') })
      .resolvesOnce({ Item: storedUser(ann) })
      .resolvesOnce({});

    const active = await invoke(handler.preTokenGeneration, refreshOf('origin-active'));
    const unseen = await invoke(handler.preTokenGeneration, refreshOf('origin-unseen'));

    for (const event of [active, unseen]) {
      expect(
        event.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride?.tenant_id,
      ).toBe(fixtureTenantId);
    }
  });

  it('V1: the claims go into the id token override', async () => {
    dynamo.on(GetCommand).resolves({ Item: storedUser(ann) });

    const event = await invoke(handler.preTokenGeneration, cognitoEvents.tokenV1Authentication());

    expect(event.response.claimsOverrideDetails).toEqual({
      claimsToAddOrOverride: {
        tenant_id: fixtureTenantId,
        roles: 'owner billing',
        mfa: 'true',
        signed_in_at: String(signInTime.getTime()),
      },
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
