// Idempotency-Key for POST routes: the first response to a key is kept for 24 hours and replayed to
// the same request of the same principal; any other request with that key is refused. Records live
// in the caller's own partition of the main table (`T#<tenantId>`), so keys of two tenants never
// meet, a tenant's records go wherever its data goes, and no single partition carries every
// tenant's writes.
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CallerContext } from '../auth/caller.ts';
import type { KeySource } from '../crypto/key-set.ts';
import { createKeySetBox, type SecretBox } from '../crypto/secret-box.ts';
import type { RouteDeclaration } from '../manifest/types.ts';
import { principalOf } from './access.ts';
import { Problem } from './problem.ts';
import type { RouteResponse } from './route.ts';

export const idempotencyHeader = 'idempotency-key';
export const replayedHeader = 'idempotent-replayed';
/** How long a key remembers its first response. */
export const idempotencyWindowSeconds = 24 * 60 * 60;

export interface IdempotencyTable {
  client: DynamoDBClient;
  /** The main table; records expire through its TTL attribute `expiresAt`. */
  tableName: string;
  /**
   * Seals the kept responses: some carry a secret shown once (a new API key, a webhook signing
   * secret), which must not sit in the table in plain text for the replay window. A key set of its
   * own (the `idempotency` deployment key), so rotating it touches nothing else.
   */
  responseKeys: KeySource;
}

export interface IdempotentCall {
  caller: CallerContext;
  /** The Idempotency-Key as the client sent it (see {@link parseIdempotencyKey}). */
  key: string;
  /** The request as the route received it; with the caller, what makes two requests "the same". */
  request: { method: string; path: string; body: unknown };
  /** Owner of the in-flight lock: the request id. */
  requestId: string;
  /** How long the lock holds if this invocation dies before it finishes (its remaining time). */
  lockMillis: number;
}

export interface IdempotencyStore {
  /** Runs `execute` once per key; replays its 2xx response, or refuses with 409/422 problems. */
  run(call: IdempotentCall, execute: () => Promise<RouteResponse>): Promise<RouteResponse>;
}

/** POST routes honour Idempotency-Key unless they opt out; public routes have no caller to scope keys by. */
export function isIdempotentRoute(declaration: RouteDeclaration): boolean {
  return (
    declaration.method === 'POST' && declaration.idempotent !== false && declaration.audience !== 'public'
  );
}

const visibleAscii = /^[\x21-\x7E]{1,255}$/;

/** The key from the header, or undefined when there is none; a malformed key is a 400. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!visibleAscii.test(header)) {
    throw new Problem(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 1 to 255 visible ASCII characters.',
    );
  }
  return header;
}

/** Object keys sorted, so that key order or whitespace in the body does not make a new request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Who sent a request, what to and with which body. Keys are shared by a tenant's principals, so the
 * principal is part of it: a kept response (a secret shown once) is replayed only to whoever caused it.
 */
export function requestFingerprint(call: Pick<IdempotentCall, 'caller' | 'request'>): string {
  const { caller, request } = call;
  return createHash('sha256')
    .update(
      canonicalJson([principalOf(caller), request.method.toUpperCase(), request.path, request.body ?? null]),
    )
    .digest('base64url');
}

/** Tenants share one key space per tenant; platform admins each have their own. */
function recordKey(caller: CallerContext, key: string): Record<string, AttributeValue> {
  if (caller.kind === 'tenant') return { pk: { S: `T#${caller.tenantId}` }, sk: { S: `IDEM#${key}` } };
  return { pk: { S: 'T#platform' }, sk: { S: `IDEM#${encodeURIComponent(caller.principalId)}#${key}` } };
}

interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface ExistingRecord {
  status: string | undefined;
  fingerprint: string | undefined;
  response: string | undefined;
}

function readRecord(item: Record<string, AttributeValue>): ExistingRecord {
  return { status: item.status?.S, fingerprint: item.fingerprint?.S, response: item.response?.S };
}

function replay(record: ExistingRecord, box: SecretBox): RouteResponse {
  const stored = JSON.parse(box.open(record.response ?? '')) as StoredResponse;
  return {
    status: stored.status,
    headers: { ...stored.headers, [replayedHeader]: 'true' },
    ...(stored.body === undefined ? {} : { body: stored.body }),
  };
}

const inUse = () =>
  new Problem(
    409,
    'idempotency_key_in_use',
    'A request with this Idempotency-Key is still in progress; retry shortly.',
    {
      headers: { 'retry-after': '1' },
    },
  );

const reused = () =>
  new Problem(
    422,
    'idempotency_key_reused',
    'This Idempotency-Key was used for a different request or by another caller; use a new key for a new request.',
  );

export function createIdempotencyStore(options: IdempotencyTable & { logger: Logger }): IdempotencyStore {
  const { client, tableName, logger } = options;
  const box = createKeySetBox(options.responseKeys);

  /** Claims the key, or says who holds it (undefined: released while we looked). */
  async function acquire(
    call: IdempotentCall,
  ): Promise<{ claimed: true } | { claimed: false; holder?: ExistingRecord }> {
    const now = Date.now();
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...recordKey(call.caller, call.key),
            status: { S: 'in_progress' },
            fingerprint: { S: requestFingerprint(call) },
            lockId: { S: call.requestId },
            lockExpiresAt: { N: String(now + call.lockMillis) },
            expiresAt: { N: String(Math.floor(now / 1000) + idempotencyWindowSeconds) },
          },
          // TTL deletes lazily, so an expired record still present counts as absent; so does a
          // lock whose invocation died before it could finish or release it.
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockExpiresAt < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':nowSeconds': { N: String(Math.floor(now / 1000)) },
            ':now': { N: String(now) },
            ':inProgress': { S: 'in_progress' },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item) return { claimed: false, holder: readRecord(error.Item) };
      const current = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: recordKey(call.caller, call.key),
          ConsistentRead: true,
        }),
      );
      return current.Item ? { claimed: false, holder: readRecord(current.Item) } : { claimed: false };
    }
  }

  async function complete(call: IdempotentCall, response: RouteResponse): Promise<void> {
    const stored: StoredResponse = {
      status: response.status,
      headers: response.headers ?? {},
      body: response.body,
    };
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: recordKey(call.caller, call.key),
          UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockExpiresAt',
          ConditionExpression: 'lockId = :lockId',
          ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
          ExpressionAttributeValues: {
            ':completed': { S: 'completed' },
            ':response': { S: box.seal(JSON.stringify(stored)) },
            ':lockId': { S: call.requestId },
          },
        }),
      );
    } catch (error) {
      // The work is done and its response is the client's either way; only a later replay is lost.
      if (error instanceof ConditionalCheckFailedException) return;
      logger.warn('could not keep the response of an idempotent request', { error: error as Error });
      await release(call);
    }
  }

  async function release(call: IdempotentCall): Promise<void> {
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: recordKey(call.caller, call.key),
          ConditionExpression: 'lockId = :lockId',
          ExpressionAttributeValues: { ':lockId': { S: call.requestId } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      // The lock then lapses on its own after `lockMillis`.
      logger.warn('could not release an idempotency key', { error: error as Error });
    }
  }

  return {
    async run(call, execute) {
      let claim = await acquire(call);
      // The holder let go between our write and our read: the key is free again, so try once more.
      if (!claim.claimed && !claim.holder) claim = await acquire(call);
      if (!claim.claimed) {
        const { holder } = claim;
        if (!holder) throw inUse();
        if (holder.fingerprint !== requestFingerprint(call)) throw reused();
        if (holder.status === 'completed') return replay(holder, box);
        throw inUse();
      }

      let response: RouteResponse;
      try {
        response = await execute();
      } catch (error) {
        await release(call);
        throw error;
      }
      if (response.status >= 200 && response.status < 300) await complete(call, response);
      else await release(call);
      return response;
    },
  };
}
