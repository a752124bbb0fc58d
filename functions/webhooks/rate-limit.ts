// Per-endpoint rate limits across every concurrent delivery worker: one counter item per endpoint and
// second, taken with a conditional increment, so the limit holds however many workers run at once.
import type { DeliveryEntities } from './delivery-entities.ts';
import { ifConditionHolds, underLimit } from '../../libs/data/outbox.ts';

export interface RateLimitedEndpoint {
  tenantId: string;
  endpointId: string;
  rateLimitPerSecond?: number | undefined;
}

/** How long a counter outlives its second; long enough for any clock skew between workers. */
const windowTtlSeconds = 120;

export function createRateLimiter(deps: {
  entities: Pick<DeliveryEntities, 'webhookRateWindow'>;
  clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());

  /** Takes one POST from the endpoint's current second; false when the second is used up. */
  async function tryAcquire(endpoint: RateLimitedEndpoint): Promise<boolean> {
    const limit = endpoint.rateLimitPerSecond;
    if (limit === undefined) return true;
    const second = Math.floor(clock().getTime() / 1000);
    const taken = await ifConditionHolds(
      deps.entities.webhookRateWindow
        .update({ tenantId: endpoint.tenantId, endpointId: endpoint.endpointId, second })
        .add({ count: 1 })
        .set({ expiresAt: second + windowTtlSeconds })
        .where((a, op) => underLimit(a.count, limit, op))
        .go({ response: 'none' }),
    );
    return taken !== undefined;
  }

  return { tryAcquire };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** A message held back by the limit comes again after one or two seconds, spread so they do not bunch. */
export function rateLimitedDelaySeconds(random: () => number = Math.random): number {
  return random() < 0.5 ? 1 : 2;
}
