// The invitations entry's scheduled expiry sweep with DynamoDB mocked: the reads it makes (queries,
// never scans), the one transaction per expiry, what it logs, and how a failure or lack of time ends it.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ScanCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { createInvitationEntities, type InvitationItem } from '../../../functions/invitations/entities.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import { tenantItem } from '../../support/items.ts';
import { lambdaContext } from '../http/api-events.ts';

const dynamo = mockClient(DynamoDBClient);
let expire: (event: unknown, context: Context) => Promise<void>;

const shapes = createInvitationEntities({
  client: new DynamoDBClient({ region: 'us-east-1' }),
  tableName: 'plinth-unit',
  directoryTableName: 'plinth-unit-directory',
});
const tenantA = 'ten_01J0000000000000000000000A';
const tenantB = 'ten_01J0000000000000000000000B';

function stored<T>(params: { Item?: T }): Record<string, unknown> {
  return params.Item as Record<string, unknown>;
}

function storedTenant(tenantId: string) {
  return stored(shapes.tenant.create(tenantItem({ tenantId, slug: tenantId.toLowerCase() })).params());
}

function storedInvitation(tenantId: string, invitationId: string) {
  const invitation: InvitationItem = {
    tenantId,
    invitationId,
    email: `${invitationId}@example.com`,
    roles: ['member'],
    status: 'pending',
    tokenHash: 'a'.repeat(64),
    expiresAt: '2026-01-08T00:00:00.000Z',
    invitedBy: 'user:owner',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  return stored(shapes.invitation.create(invitation).params());
}

/** Tenants in two pages, and the overdue invitations each tenant's query answers with. */
function answerQueries(invitations: Record<string, Array<Record<string, unknown>> | Error>) {
  const tenantPages = [
    { Items: [storedTenant(tenantA)], LastEvaluatedKey: storedTenantKey(tenantA) },
    { Items: [storedTenant(tenantB)] },
  ];
  dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    if (input.IndexName === 'gsi1') {
      return Promise.resolve(input.ExclusiveStartKey ? tenantPages[1] : tenantPages[0]);
    }
    const pk = input.ExpressionAttributeValues?.[':pk'] as string;
    const answer = invitations[pk.slice('T#'.length)] ?? [];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ Items: answer });
  });
}

function storedTenantKey(tenantId: string) {
  const item = storedTenant(tenantId);
  return { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
}

function queryInputs(): QueryCommandInput[] {
  return dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
}

let output: string[];

/** The JSON log entries the sweep wrote with this message. */
function logged(message: string): Array<Record<string, unknown>> {
  return output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.message === message);
}

beforeAll(async () => {
  useFunctionEnv({ USER_POOL_ID: 'us-east-1_TestPool1', POWERTOOLS_LOG_LEVEL: 'INFO' });
  ({ expire } = await import('../../../functions/invitations/handler.ts'));
});

beforeEach(() => {
  dynamo.reset();
  dynamo.on(TransactWriteCommand).resolves({});
  // No saved position: each run starts at the first tenant.
  dynamo.on(GetCommand).resolves({});
  output = [];
  // Warnings and errors go to stderr, the rest to stdout.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the scheduled expiry sweep', () => {
  it("queries every page of tenants and each tenant's overdue pending invitations, and never scans", async () => {
    answerQueries({ [tenantA]: [storedInvitation(tenantA, 'inv_a1')], [tenantB]: [] });

    await expire({}, lambdaContext());

    const [firstTenants, invitationsA, secondTenants, invitationsB] = queryInputs();
    expect([firstTenants?.IndexName, secondTenants?.IndexName]).toEqual(['gsi1', 'gsi1']);
    expect(secondTenants?.ExclusiveStartKey).toEqual(storedTenantKey(tenantA));
    expect([invitationsA?.IndexName, invitationsB?.IndexName]).toEqual([undefined, undefined]);
    expect(invitationsA?.ExpressionAttributeValues?.[':pk']).toBe(`T#${tenantA}`);
    expect(invitationsB?.ExpressionAttributeValues?.[':pk']).toBe(`T#${tenantB}`);
    expect(invitationsA?.KeyConditionExpression).toContain('begins_with');
    expect(Object.values(invitationsA?.ExpressionAttributeValues ?? {})).toContain('INV#');
    const filterNames = Object.values(invitationsA?.ExpressionAttributeNames ?? {});
    expect(filterNames).toEqual(expect.arrayContaining(['status', 'expiresAt']));
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('records each expiry in one transaction conditional on the invitation still being pending', async () => {
    answerQueries({
      [tenantA]: [storedInvitation(tenantA, 'inv_a1'), storedInvitation(tenantA, 'inv_a2')],
      [tenantB]: [storedInvitation(tenantB, 'inv_b1')],
    });

    await expire({}, lambdaContext());

    const transactions = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems);
    expect(transactions).toHaveLength(3);
    for (const items of transactions) {
      const [update, put] = items ?? [];
      expect(update?.Update?.ConditionExpression).toBeDefined();
      expect(Object.values(update?.Update?.ExpressionAttributeValues ?? {})).toEqual(
        expect.arrayContaining(['pending', 'expired']),
      );
      expect(put?.Put?.Item).toMatchObject({
        type: 'invitation.expired',
        actor: { type: 'system', id: 'invitations' },
      });
    }
    expect(logged('invitation expiry sweep')).toEqual([
      expect.objectContaining({
        tenants: 2,
        due: 3,
        expired: 3,
        changed: 0,
        failedTenants: 0,
        complete: true,
      }),
    ]);
  });

  it('an invitation that changed before its transaction counts as changed, not as a failure', async () => {
    answerQueries({ [tenantA]: [storedInvitation(tenantA, 'inv_a1')] });
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    await expire({}, lambdaContext());

    expect(logged('invitation expiry sweep')).toEqual([
      expect.objectContaining({ due: 1, expired: 0, changed: 1, failedTenants: 0 }),
    ]);
  });

  it('a tenant that fails is logged, the others are still swept, and the invocation fails', async () => {
    answerQueries({
      [tenantA]: new Error('throttled'),
      [tenantB]: [storedInvitation(tenantB, 'inv_b1')],
    });

    await expect(expire({}, lambdaContext())).rejects.toThrow('invitation expiry failed for 1 tenant(s)');

    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(logged('invitation expiry failed for a tenant')).toEqual([
      expect.objectContaining({ tenantId: tenantA }),
    ]);
  });

  it('with too little time left it starts no tenant and says the run was cut short', async () => {
    answerQueries({ [tenantA]: [storedInvitation(tenantA, 'inv_a1')] });

    await expire({}, lambdaContext(4_000));

    expect(queryInputs().filter((input) => input.IndexName === undefined)).toHaveLength(0);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(logged('invitation expiry sweep ran out of time; the next run goes on')).toEqual([
      expect.objectContaining({ tenants: 0, complete: false }),
    ]);
  });
});
