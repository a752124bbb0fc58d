// The webhooks context's events.
import type { EventDefinition } from './definition.ts';

export const webhookEvents = {} as const satisfies Record<string, EventDefinition>;
