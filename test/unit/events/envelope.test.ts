import { describe, expect, it } from 'vitest';
import { createEvent } from '../../../events/envelope.ts';
import type { EventData } from '../../../events/catalog.ts';
import { Problem } from '../../../libs/http/problem.ts';

const actor = { type: 'platform_admin', id: 'key_1' };

describe('event envelope', () => {
  it('stamps a catalog event with its version, a time-ordered id and the time it occurred', () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const event = createEvent('tenant.resumed', 'ten_1', actor, { tenantId: 'ten_1' }, at);
    expect(event).toMatchObject({
      type: 'tenant.resumed',
      version: 1,
      tenantId: 'ten_1',
      occurredAt: at.toISOString(),
    });
    expect(event.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('refuses data that does not match the event schema, so the mutation that emits it fails', () => {
    const bad = { tenantId: 'ten_1', reason: 42 } as unknown as EventData<'tenant.suspended'>;
    try {
      createEvent('tenant.suspended', 'ten_1', actor, bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Problem);
      expect((error as Problem).code).toBe('event_schema_violation');
    }
  });
});
