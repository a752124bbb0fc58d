// Where deliveries, attempts and rate windows are written: under the tenant, but spread over a
// partition per endpoint or per delivery rather than the tenant's one, so a busy tenant's webhook
// traffic is not capped by a single partition. Keys are read from the entities with `.params()`.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDeliveryEntities, dueFields } from '../../../functions/webhooks/delivery-entities.ts';

const entities = createDeliveryEntities({
  client: new DynamoDBClient({ region: 'us-east-1' }),
  tableName: 'plinth',
});
const tenantId = 'ten_01JD0000000000000000000000';
const at = '2026-06-01T00:00:00.000Z';

function deliveryPk(endpointId: string, deliveryId: string): string {
  const key = { tenantId, endpointId, deliveryId };
  const item = {
    ...key,
    eventType: 'tenant.updated',
    payload: '{}',
    ...dueFields(key, 'pending', at),
    attempts: 0,
    createdAt: at,
    updatedAt: at,
    expiresAt: 1,
  };
  return String(entities.webhookDelivery.put(item).params<{ Item: { pk: string } }>().Item.pk);
}

function attemptPk(endpointId: string, deliveryId: string): string {
  const item = {
    tenantId,
    endpointId,
    deliveryId,
    attempt: 1,
    at,
    durationMs: 1,
    responseBody: '',
    expiresAt: 1,
  };
  return String(entities.webhookAttempt.put(item).params<{ Item: { pk: string } }>().Item.pk);
}

describe('delivery keys', () => {
  it("deliveries of two endpoints land in two partitions, neither of them the tenant's own", () => {
    const a = deliveryPk('ep_A', '01JD0000000000000000000001');
    const b = deliveryPk('ep_B', '01JD0000000000000000000001');

    expect(new Set([a, b, `T#${tenantId}`]).size).toBe(3);
    expect(a).toBe(deliveryPk('ep_A', '01JD0000000000000000000002'));
    for (const pk of [a, b]) expect(pk.startsWith(`T#${tenantId}#`)).toBe(true);
  });

  it('the attempts of each delivery have a partition of their own under the tenant', () => {
    const first = attemptPk('ep_A', '01JD0000000000000000000001');
    const second = attemptPk('ep_A', '01JD0000000000000000000002');

    expect(first).not.toBe(second);
    expect(first.startsWith(`T#${tenantId}#`)).toBe(true);
  });

  it("an endpoint's rate windows share its partition, not the tenant's", () => {
    const pk = (second: number) =>
      String(
        entities.webhookRateWindow
          .put({ tenantId, endpointId: 'ep_A', second, count: 1, expiresAt: 1 })
          .params<{ Item: { pk: string } }>().Item.pk,
      );

    expect(pk(1)).toBe(pk(2));
    expect(pk(1)).not.toBe(`T#${tenantId}`);
    expect(pk(1).startsWith(`T#${tenantId}#`)).toBe(true);
  });

  it("listing an endpoint's deliveries still queries one partition of the tenant's", () => {
    const params = entities.webhookDelivery.query
      .byEndpoint({ tenantId, endpointId: 'ep_A' })
      .params<{ ExpressionAttributeValues: Record<string, unknown> }>();

    expect(params.ExpressionAttributeValues[':pk']).toBe(deliveryPk('ep_A', '01JD0000000000000000000001'));
  });
});
