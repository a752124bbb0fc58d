// The shape of an event as stored in the outbox and as published on the bus (EventBridge `detail`).
import { ulid } from 'ulid';
import * as z from 'zod';
import { eventCatalog, type EventData, type EventType } from './catalog.ts';
import { Problem } from '../libs/http/problem.ts';

export const actorSchema = z.strictObject({ type: z.string(), id: z.string() });

export interface PlinthEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  tenantId: string;
  actor: z.infer<typeof actorSchema>;
  occurredAt: string;
  data: EventData<T>;
}

/**
 * Builds an event after checking its data against the catalog. A mismatch is a bug in the emitter,
 * so it fails the mutation with a 500 rather than writing an event integrations cannot parse.
 */
export function createEvent<T extends EventType>(
  type: T,
  tenantId: string,
  actor: PlinthEvent['actor'],
  data: EventData<T>,
  now: Date = new Date(),
): PlinthEvent<T> {
  const entry = eventCatalog[type];
  const parsed = entry.schema.safeParse(data);
  if (!parsed.success) {
    throw new Problem(500, 'event_schema_violation', `The ${type} event did not match its schema.`, {
      extensions: { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  return {
    id: ulid(now.getTime()),
    type,
    version: entry.version,
    tenantId,
    actor,
    occurredAt: now.toISOString(),
    data: parsed.data as EventData<T>,
  };
}
