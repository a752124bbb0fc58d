import { describe, expect, it } from 'vitest';
import { eventTypeList } from '../../../functions/docs/routes/event-types.ts';
import { eventTypes } from '../../../events/catalog.ts';

describe('event catalog as served', () => {
  it('lists every catalog event with its version, description and JSON Schema', () => {
    const { items } = eventTypeList();
    expect(items.map((i) => i.type)).toEqual(eventTypes);
    for (const item of items) {
      expect(item.description.length).toBeGreaterThan(0);
      expect(item.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('a schema says what its data requires, and refuses fields it does not know', () => {
    const suspended = eventTypeList().items.find((i) => i.type === 'tenant.suspended')!;
    expect(suspended.schema).toMatchObject({
      type: 'object',
      required: ['tenantId', 'reason'],
      additionalProperties: false,
    });
  });
});
