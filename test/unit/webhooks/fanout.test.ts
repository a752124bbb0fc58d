// Fan-out's pure parts: reading the bus event, which endpoints want it, and the payload they get.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { eventCatalog } from '../../../events/catalog.ts';
import { webhookPayload } from '../../../functions/webhooks/delivery-schemas.ts';
import { endpointWants, parseBusEvent } from '../../../functions/webhooks/fanout.ts';

const event = {
  id: '01JD0000000000000000000000',
  type: 'tenant.suspended',
  version: 1,
  tenantId: 'ten_01JD0000000000000000000000',
  actor: { type: 'platform_admin', id: 'key_1' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: { tenantId: 'ten_01JD0000000000000000000000', reason: 'unpaid' },
};
const busEvent = { version: '0', source: 'plinth', 'detail-type': event.type, detail: event };

describe('fan-out', () => {
  it('reads the Plinth event from the EventBridge envelope', () => {
    expect(parseBusEvent(JSON.stringify(busEvent))).toEqual(event);
  });

  it('refuses a message that is not a bus event, naming the problem', () => {
    expect(() => parseBusEvent('nope')).toThrow(/not JSON/);
    expect(() => parseBusEvent(JSON.stringify({ detail: { id: 'x' } }))).toThrow(/malformed bus event/);
  });

  it('an endpoint wants an event when enabled and subscribed to all types or to its type', () => {
    expect(endpointWants({ enabled: true, eventTypes: ['*'] }, 'tenant.updated')).toBe(true);
    expect(endpointWants({ enabled: true, eventTypes: ['tenant.updated'] }, 'tenant.updated')).toBe(true);
    expect(endpointWants({ enabled: true, eventTypes: ['api_key.created'] }, 'tenant.updated')).toBe(false);
    expect(endpointWants({ enabled: false, eventTypes: ['*'] }, 'tenant.updated')).toBe(false);
  });
});

describe('webhook payload', () => {
  it('has the Standard Webhooks shape {type, timestamp, data} with the event envelope inside data', () => {
    expect(JSON.parse(webhookPayload(event))).toEqual({
      type: 'tenant.suspended',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: {
        id: event.id,
        tenantId: event.tenantId,
        version: 1,
        actor: event.actor,
        reason: 'unpaid',
      },
    });
  });

  it('the envelope fields win over data fields of the same name', () => {
    const payload = JSON.parse(
      webhookPayload({ ...event, data: { id: 'other', version: 9, note: 'n' } }),
    ) as {
      data: Record<string, unknown>;
    };

    expect(payload.data).toMatchObject({ id: event.id, version: 1, note: 'n' });
  });

  it('no catalog event has a data field that the envelope would hide', () => {
    const hidden = Object.entries(eventCatalog).flatMap(([type, entry]) => {
      const shape = entry.schema instanceof z.ZodObject ? Object.keys(entry.schema.shape) : [];
      return shape.filter((key) => ['id', 'version', 'actor'].includes(key)).map((key) => `${type}.${key}`);
    });

    expect(hidden).toEqual([]);
  });
});
