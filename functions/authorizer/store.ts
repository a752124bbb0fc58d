// The authorizer's reads and writes, by primary key and without ElectroDB (kept out of its bundle):
// a key and its tenant, a user's state in one BatchGet, custom roles, and usage marks.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApiKeyItem, TenantItem } from '../../libs/data/entities.ts';
import type { SessionItem } from '../../libs/data/identity-entities.ts';
import { entityMarker, fillKey, primaryKeys, sessionLifetimeSeconds } from '../../libs/data/primary-keys.ts';
import type { UserReads, UserState } from './user.ts';
import type { CredentialReads } from './verify.ts';

type Key = { pk: string; sk: string };

/** ElectroDB marks each item with its entity name; anything else at that key is not ours to trust. */
function ofEntity<T>(item: Record<string, unknown> | undefined, entity: string): T | undefined {
  return item && item.__edb_e__ === entity ? (item as T) : undefined;
}

function keyOf(template: { pk: string; sk: string }, values: Record<string, string>): Key {
  return { pk: fillKey(template.pk, values), sk: fillKey(template.sk, values) };
}

function sessionKey(session: { tenantId: string; userId: string; sessionId: string }): Key {
  const { tenantId, userId, sessionId } = session;
  return keyOf(primaryKeys.session, { tenantId, userId, sessionId });
}

export interface NewSession {
  tenantId: string;
  userId: string;
  sessionId: string;
  userAgent: string;
  ip: string;
  /** The token's auth_time (epoch seconds): the session starts at the sign-in, not its first call. */
  authTime: number;
}

export function createCredentialStore(client: DynamoDBClient, tableName: string) {
  const documents = DynamoDBDocumentClient.from(client);

  async function getItem(key: Key): Promise<Record<string, unknown> | undefined> {
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: key }));
    return Item;
  }

  /** One BatchGet; unprocessed keys (throttling) are asked for again until all are answered. */
  async function getItems(keys: Key[]): Promise<Array<Record<string, unknown>>> {
    const found: Array<Record<string, unknown>> = [];
    let pending: Key[] = keys;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > 5) throw new Error('the table kept leaving keys unprocessed');
      const result = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
    return found;
  }

  const reads: CredentialReads = {
    async getApiKey(ownerId, keyId) {
      return ofEntity<ApiKeyItem>(await getItem(keyOf(primaryKeys.apiKey, { ownerId, keyId })), 'apiKey');
    },
    async getTenant(tenantId) {
      return ofEntity<TenantItem>(await getItem(keyOf(primaryKeys.tenant, { tenantId })), 'tenant');
    },
  };

  const userReads: UserReads = {
    async getUserState(tenantId, userId, sessionId): Promise<UserState> {
      const items = await getItems([
        keyOf(primaryKeys.tenant, { tenantId }),
        keyOf(primaryKeys.user, { tenantId, userId }),
        keyOf(primaryKeys.identitySettings, { tenantId }),
        keyOf(primaryKeys.session, { tenantId, userId, sessionId }),
      ]);
      const find = <T>(entity: string) =>
        items.map((item) => ofEntity<T>(item, entity)).find((item) => item !== undefined);
      return {
        tenant: find('tenant'),
        user: find('user'),
        settings: find('identitySettings'),
        session: find('session'),
      };
    },
    async isVerifiedDomain(tenantId, domain) {
      const item = await getItem(keyOf(primaryKeys.domain, { tenantId, domain }));
      return ofEntity<{ status: string }>(item, 'domain')?.status === 'verified';
    },
    async getCustomRoles(tenantId, roleIds) {
      const items = await getItems(roleIds.map((roleId) => keyOf(primaryKeys.role, { tenantId, roleId })));
      return items.flatMap((item) => ofEntity(item, 'role') ?? []);
    },
  };

  async function recordUse(key: ApiKeyItem, at: Date): Promise<void> {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keyOf(primaryKeys.apiKey, { ownerId: key.ownerId, keyId: key.keyId }),
        UpdateExpression: 'SET lastUsedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  /** The first call of a sign-in opens its session; a concurrent first call finds it already there. */
  async function openSession(session: NewSession, at: Date): Promise<void> {
    const item: SessionItem & Key = {
      ...sessionKey(session),
      tenantId: session.tenantId,
      userId: session.userId,
      sessionId: session.sessionId,
      userAgent: session.userAgent,
      ip: session.ip,
      startedAt: new Date(session.authTime * 1000).toISOString(),
      lastSeenAt: at.toISOString(),
      status: 'active',
      // As long as the sign-in's refresh tokens can live.
      expiresAt: session.authTime + sessionLifetimeSeconds,
    };
    await documents
      .send(
        new PutCommand({
          TableName: tableName,
          Item: { ...item, ...entityMarker('session') },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  /** Moves last-seen forward on an active session only, so a revocation is never undone. */
  async function touchSession(session: SessionItem, at: Date, ip: string): Promise<void> {
    await documents
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: sessionKey(session),
          UpdateExpression: 'SET lastSeenAt = :at, ip = :ip',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':ip': ip, ':active': 'active' },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  return { reads, userReads, recordUse, openSession, touchSession };
}
