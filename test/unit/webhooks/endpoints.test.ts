// Endpoint rules that need no I/O: event type filters, which secrets are live, and what leaves the API.
import { describe, expect, it } from 'vitest';
import { checkEventTypes, endpointResource } from '../../../functions/webhooks/endpoints.ts';
import { liveSecrets, openSigningSecrets } from '../../../functions/webhooks/signing.ts';
import type { EndpointItem } from '../../../functions/webhooks/entities.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { Problem } from '../../../libs/http/problem.ts';

function problemOf(run: () => unknown): Problem {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

const now = new Date('2026-03-01T12:00:00.000Z');
const hoursFromNow = (h: number) => new Date(now.getTime() + h * 3_600_000).toISOString();

describe('checkEventTypes', () => {
  it('keeps "*" and catalog types, dropping repeats', () => {
    expect(checkEventTypes(['*'])).toEqual(['*']);
    expect(checkEventTypes(['tenant.updated', 'endpoint.disabled', 'tenant.updated'])).toEqual([
      'tenant.updated',
      'endpoint.disabled',
    ]);
  });

  it('names every unknown type in one field error', () => {
    const problem = problemOf(() => checkEventTypes(['tenant.created', 'order.paid', 'webhook.test']));

    expect(problem.errors).toEqual([
      {
        path: 'body.eventTypes',
        code: 'unknown_event_type',
        message: 'unknown event types: order.paid, webhook.test (GET /v1/event-types lists them)',
      },
    ]);
  });

  it('refuses "*" listed with other types', () => {
    expect(problemOf(() => checkEventTypes(['*', 'tenant.created'])).errors?.[0]?.code).toBe(
      'invalid_event_types',
    );
  });
});

describe('liveSecrets', () => {
  it('is the current secret and the rotated-out ones that have not expired, current first', () => {
    const current = { sealed: 'c', createdAt: hoursFromNow(-1) };
    const previous = { sealed: 'p', createdAt: hoursFromNow(-30), expiresAt: hoursFromNow(23) };
    const expired = { sealed: 'e', createdAt: hoursFromNow(-60), expiresAt: hoursFromNow(-1) };

    expect(liveSecrets([current, previous, expired], now)).toEqual([current, previous]);
  });

  it('is empty for an endpoint without secrets', () => {
    expect(liveSecrets([], now)).toEqual([]);
  });
});

describe('openSigningSecrets', () => {
  it('opens the live secrets with the box, current first', () => {
    const box = createSecretBox('unit-test-webhook-secret-key-0123456789');
    const endpoint = {
      secrets: [
        { sealed: box.seal('whsec_new'), createdAt: hoursFromNow(0) },
        { sealed: box.seal('whsec_old'), createdAt: hoursFromNow(-5), expiresAt: hoursFromNow(1) },
      ],
    } as EndpointItem;

    expect(openSigningSecrets(endpoint, box, now)).toEqual(['whsec_new', 'whsec_old']);
  });
});

describe('endpointResource', () => {
  it('shows no sealed secret and no tenant id', () => {
    const resource = endpointResource({
      tenantId: 'ten_01J00000000000000000000000',
      endpointId: 'ep_01J00000000000000000000000',
      url: 'https://hooks.example.com/in',
      eventTypes: ['*'],
      enabled: false,
      disabledReason: 'failing',
      failingSince: hoursFromNow(-120),
      secrets: [{ sealed: 'v1.sealed', createdAt: hoursFromNow(-200) }],
      createdAt: hoursFromNow(-200),
      updatedAt: hoursFromNow(-1),
    });

    expect(resource).toEqual({
      id: 'ep_01J00000000000000000000000',
      url: 'https://hooks.example.com/in',
      eventTypes: ['*'],
      enabled: false,
      disabledReason: 'failing',
      failingSince: hoursFromNow(-120),
      createdAt: hoursFromNow(-200),
      updatedAt: hoursFromNow(-1),
    });
  });
});
