// Every event Plinth emits: its name, version, description and the zod schema of its `data`.
// Emitting an event whose data does not match its schema fails the mutation that emits it.
import * as z from 'zod';
import { identityEvents } from './identity.ts';
import { invitationEvents } from './invitations.ts';
import { jobEvents } from './jobs.ts';
import { ssoEvents } from './sso.ts';
import { webhookEvents } from './webhooks.ts';
import type { EventDefinition } from './definition.ts';

const tenantStatus = z.enum(['active', 'suspended']);

const tenantSnapshot = z.strictObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  plan: z.string(),
  homeRegion: z.string(),
  status: tenantStatus,
});

export const eventCatalog = {
  'tenant.created': {
    version: 1,
    description: 'A tenant was created in its home region.',
    schema: z.strictObject({ tenant: tenantSnapshot }),
  },
  'tenant.updated': {
    version: 1,
    description: "A tenant's name or plan changed.",
    schema: z.strictObject({
      tenant: tenantSnapshot,
      changes: z.record(z.string(), z.strictObject({ from: z.unknown(), to: z.unknown() })),
    }),
  },
  'tenant.suspended': {
    version: 1,
    description: 'A tenant was suspended; its credentials stop working.',
    schema: z.strictObject({ tenantId: z.string(), reason: z.string() }),
  },
  'tenant.resumed': {
    version: 1,
    description: 'A suspended tenant was resumed; its credentials work again.',
    schema: z.strictObject({ tenantId: z.string() }),
  },
  'api_key.created': {
    version: 1,
    description: 'An API key was created for a tenant. The secret is never part of an event.',
    schema: z.strictObject({ keyId: z.string(), name: z.string(), scopes: z.array(z.string()) }),
  },
  'api_key.revoked': {
    version: 1,
    description: 'An API key was revoked; calls with it answer 401 from now on.',
    schema: z.strictObject({ keyId: z.string() }),
  },
  ...identityEvents,
  ...invitationEvents,
  ...webhookEvents,
  ...jobEvents,
  ...ssoEvents,
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.output<(typeof eventCatalog)[T]['schema']>;
export const eventTypes = Object.keys(eventCatalog) as EventType[];

/** The source of every Plinth event on EventBridge. */
export const eventSource = 'plinth';
