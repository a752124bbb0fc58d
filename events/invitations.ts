// The invitations context's events.
import type { EventDefinition } from './definition.ts';

export const invitationEvents = {} as const satisfies Record<string, EventDefinition>;
