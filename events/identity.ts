// The identity context's events.
import type { EventDefinition } from './definition.ts';

export const identityEvents = {} as const satisfies Record<string, EventDefinition>;
