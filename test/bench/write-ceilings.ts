// The design's write ceilings: for each high-volume item kind, the partition its writes land in (read
// from the entities' own keys with `.params()`), the write units one write of a typical item costs,
// and the writes a second that partition holds on DynamoDB's published limit of 1,000 write units a
// second per partition (a unit is 1 KB; a write inside a transaction costs two). Nothing is timed.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { createEntities } from '../../libs/data/entities.ts';
import { eventItem } from '../../libs/data/outbox.ts';
import { createDeliveryEntities, dueFields } from '../../functions/webhooks/delivery-entities.ts';
import { sweepShardCount } from '../../functions/webhooks/delivery-entities.ts';
import { webhookPayload } from '../../functions/webhooks/delivery-schemas.ts';

/** DynamoDB's per-partition ceiling, for a table and for each of its indexes. */
export const partitionWriteUnitsPerSecond = 1000;
export const partitionReadUnitsPerSecond = 3000;

export interface WriteCeiling {
  kind: string;
  /** The partition key of a sample item, with the tenant and resource ids named. */
  partition: string;
  /** What one partition is: shared by the whole tenant, or one per endpoint, delivery, … */
  spread: string;
  bytes: number;
  unitsPerWrite: number;
  writesPerSecond: number;
}

/** DynamoDB's item size: attribute names plus values (strings in UTF-8, numbers as ~their digits). */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((n, v) => n + 1 + valueBytes(v), 0);
  if (typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>);
  return 0;
}

export function computeWriteCeilings(): WriteCeiling[] {
  const tables = {
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'plinth',
    directoryTableName: 'plinth-directory',
  };
  const shared = createEntities(tables);
  const webhooks = createDeliveryEntities(tables);
  const tenantId = `ten_${ulid()}`;
  const endpointId = `ep_${ulid()}`;
  const now = new Date('2026-06-01T00:00:00.000Z');
  const event = eventItem(
    tenantId,
    { type: 'user', id: 'usr_01JD0000000000000000000000' },
    'tenant.updated',
    {
      tenant: {
        id: tenantId,
        slug: 'acme',
        name: 'Acme Corporation',
        plan: 'growth',
        homeRegion: 'us-east-1',
        status: 'active',
      },
      changes: { name: { from: 'Acme', to: 'Acme Corporation' } },
    },
    now,
  );
  const deliveryKey = { tenantId, endpointId, deliveryId: event.eventId };
  const delivery = {
    ...deliveryKey,
    eventType: event.type,
    payload: webhookPayload({ ...event, id: event.eventId }),
    ...dueFields(deliveryKey, 'pending', now.toISOString()),
    attempts: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    expiresAt: 1_790_000_000,
  };
  const attempt = {
    ...deliveryKey,
    attempt: 1,
    at: now.toISOString(),
    statusCode: 200,
    durationMs: 120,
    // A receiver's typical short answer; an attempt keeps up to 4 KB of it.
    responseBody: '{"received":true}',
    expiresAt: 1_790_000_000,
  };

  const named = (pk: string) =>
    pk
      .replace(tenantId, '<tenantId>')
      .replace(endpointId, '<endpointId>')
      .replace(event.eventId, '<deliveryId>')
      .replace(/^(WHDUE#pending#)\d+$/, '$1<shard>');
  const row = (
    kind: string,
    item: Record<string, unknown>,
    options: { transactional: boolean; partitionKey?: string; spread?: string },
  ): WriteCeiling => {
    const bytes = itemBytes(item);
    const unitsPerWrite = Math.ceil(bytes / 1024) * (options.transactional ? 2 : 1);
    const pk = String(item[options.partitionKey ?? 'pk']);
    return {
      kind,
      partition: named(pk),
      spread: options.spread ?? spreadOf(pk, { tenantId, endpointId, deliveryId: event.eventId }),
      bytes,
      unitsPerWrite,
      writesPerSecond: Math.floor(partitionWriteUnitsPerSecond / unitsPerWrite),
    };
  };

  const deliveryItem = webhooks.webhookDelivery
    .put(delivery)
    .params<{ Item: Record<string, unknown> }>().Item;
  return [
    row(
      'event (outbox, in its mutation)',
      shared.event.put(event).params<{ Item: Record<string, unknown> }>().Item,
      {
        transactional: true,
      },
    ),
    row('delivery (put, claim)', deliveryItem, { transactional: false }),
    row('delivery (finish, in a transaction)', deliveryItem, { transactional: true }),
    row(
      'delivery attempt (in a transaction)',
      webhooks.webhookAttempt.put(attempt).params<{ Item: Record<string, unknown> }>().Item,
      {
        transactional: true,
      },
    ),
    row('pending delivery (sweep index)', deliveryItem, {
      transactional: false,
      partitionKey: 'gsi1pk',
      spread: `${sweepShardCount} per region, all tenants`,
    }),
  ];
}

/** Whether a partition key is the tenant's own partition or one of a resource of the tenant. */
function spreadOf(pk: string, ids: { tenantId: string; endpointId: string; deliveryId: string }): string {
  if (pk === `T#${ids.tenantId}`) return 'one per tenant';
  if (pk.includes(ids.deliveryId)) return 'one per delivery';
  if (pk.includes(ids.endpointId)) return 'one per endpoint';
  return 'other';
}

/**
 * What one tenant sustains where its writes meet: mutations in its own partition (state item and
 * event in one transaction, plus the idempotency record's claim and response), and deliveries per
 * endpoint (put, claim and the finishing transaction on the endpoint's partition).
 */
export function tenantCeilings(ceilings: readonly WriteCeiling[]) {
  const units = (kind: string) => ceilings.find((c) => c.kind === kind)?.unitsPerWrite ?? 0;
  const event = units('event (outbox, in its mutation)');
  // A state item of about 1 KB in the same transaction, and the idempotency record: a small claim
  // (1 unit) and the sealed response (about 1 KB, 2 units). Both live in `T#<tenantId>` today.
  const mutationUnits = 2 + event + 3;
  const deliveryUnits = 2 * units('delivery (put, claim)') + units('delivery (finish, in a transaction)');
  return {
    mutationUnits,
    mutationsPerSecond: Math.floor(partitionWriteUnitsPerSecond / mutationUnits),
    deliveryUnits,
    deliveriesPerSecondPerEndpoint: Math.floor(partitionWriteUnitsPerSecond / deliveryUnits),
  };
}

export function printWriteCeilings(largestPlanRequestsPerSecond: number): void {
  console.log(
    `\nWrite ceilings of the key design, on DynamoDB's ${partitionWriteUnitsPerSecond} write units/s per partition (1 unit per KB; 2 inside a transaction)\n`,
  );
  console.log(
    'item kind'.padEnd(38),
    'partition key'.padEnd(44),
    'partitions'.padEnd(28),
    'bytes'.padStart(6),
    'units'.padStart(6),
    'writes/s per partition'.padStart(23),
  );
  const ceilings = computeWriteCeilings();
  for (const c of ceilings) {
    console.log(
      c.kind.padEnd(38),
      c.partition.padEnd(44),
      c.spread.padEnd(28),
      String(c.bytes).padStart(6),
      String(c.unitsPerWrite).padStart(6),
      String(c.writesPerSecond).padStart(23),
    );
  }
  const t = tenantCeilings(ceilings);
  console.log(
    `\nper tenant: ${t.mutationsPerSecond} mutations/s in T#<tenantId> (${t.mutationUnits} units each; the largest plan allows ${largestPlanRequestsPerSecond} requests/s)`,
  );
  console.log(
    `per endpoint: ${t.deliveriesPerSecondPerEndpoint} deliveries/s (${t.deliveryUnits} units each), so a tenant's deliveries scale with its endpoints`,
  );
}
