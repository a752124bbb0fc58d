// The hourly expiry sweep: every pending invitation of the region's tenants that is past its expiry is
// recorded as expired with its invitation.expired, so integrations hear of it even if nobody touches it.
// A run that runs out of time saves the position after the last tenant it finished, and the next run
// goes on from there: with more tenants than one run can sweep, every tenant is still reached in turn.
import { createConversions } from 'electrodb';
import type { Entities } from '../../libs/data/entities.ts';
import type { Actor, Page } from '../../libs/data/outbox.ts';
import type { InvitationEntities, InvitationItem } from './entities.ts';
import type { InvitationStore } from './store.ts';

/** Expiries are recorded by the system, whoever noticed them first. */
export const expiryActor: Actor = { type: 'system', id: 'invitations' };

/** No tenant is started with less time left than this, so a run ends before its function times out. */
export const stopMarginMillis = 5_000;

const tenantPageSize = 100;

export interface ExpiryDeps {
  entities: Pick<InvitationEntities, 'tenant' | 'invitation'> & Pick<Entities, 'sweepPosition'>;
  store: Pick<InvitationStore, 'expire'>;
  clock: () => Date;
  /** Time the run may still take, from the Lambda context; unlimited when absent. */
  remainingMillis?: () => number;
  /** Told of a tenant whose sweep failed; the run goes on with the next tenant. */
  onTenantError?: (tenantId: string, error: unknown) => void;
}

export interface ExpiryCounts {
  /** Tenants whose invitations were looked at. */
  tenants: number;
  /** Pending invitations found past their expiry. */
  due: number;
  /** Of those, recorded as expired by this run. */
  expired: number;
  /** Of those, changed since they were read (accepted, revoked, resent or expired by someone else). */
  changed: number;
  failedTenants: number;
  /** True when the run went on from where the run before it stopped. */
  resumed: boolean;
  /** False when the run stopped early for lack of time; the next run goes on from where it stopped. */
  complete: boolean;
}

/** The name of this sweep's saved position. */
export const expirySweep = 'invitations.expiry';

/**
 * Pages through the region's tenants and records the expiry of each overdue pending invitation, one
 * transaction each. Only pending ones are read and each write requires them to still be pending, so
 * a run that stopped half-way and runs again writes no second event.
 */
export async function expireOverdueInvitations(deps: ExpiryDeps): Promise<ExpiryCounts> {
  const saved = deps.entities.sweepPosition;
  const { data: stored } = await saved.get({ sweep: expirySweep }).go({ consistent: true });
  const counts: ExpiryCounts = {
    tenants: 0,
    due: 0,
    expired: 0,
    changed: 0,
    failedTenants: 0,
    resumed: stored !== null,
    complete: true,
  };
  const tenantCursor = createConversions(deps.entities.tenant).byAccessPattern.all.fromComposite;
  let cursor: string | null = stored?.position ?? null;
  do {
    const page = await tenantIdPage(deps, cursor);
    for (const tenantId of page.items) {
      if (deps.remainingMillis && deps.remainingMillis() < stopMarginMillis) {
        counts.complete = false;
        if (cursor !== null) {
          await saved
            .upsert({ sweep: expirySweep, position: cursor, updatedAt: deps.clock().toISOString() })
            .go({ response: 'none' });
        }
        return counts;
      }
      counts.tenants += 1;
      try {
        await expireTenantInvitations(deps, tenantId, counts);
      } catch (error) {
        counts.failedTenants += 1;
        deps.onTenantError?.(tenantId, error);
      }
      cursor = tenantCursor.toCursor({ tenantId });
    }
    cursor = page.position;
  } while (cursor);
  // Every tenant from the saved position to the last was swept: the next run starts at the first.
  if (stored) await saved.delete({ sweep: expirySweep }).go({ response: 'none' });
  return counts;
}

async function expireTenantInvitations(deps: ExpiryDeps, tenantId: string, counts: ExpiryCounts) {
  const now = deps.clock();
  let cursor: string | null = null;
  do {
    const page = await overduePage(deps, tenantId, now, cursor);
    for (const invitation of page.items) {
      counts.due += 1;
      if (await deps.store.expire(invitation, now, expiryActor)) counts.expired += 1;
      else counts.changed += 1;
    }
    cursor = page.position;
  } while (cursor);
}

/** A page of the ids of the region's tenants (the table holds only its region's). */
async function tenantIdPage(deps: ExpiryDeps, cursor: string | null): Promise<Page<string>> {
  const result = await deps.entities.tenant.query
    .all({})
    .go({ cursor, limit: tenantPageSize, attributes: ['tenantId'] });
  return { items: result.data.map((t) => t.tenantId), position: result.cursor };
}

/** A page of the tenant's stored-pending invitations whose expiry is not after `now`. */
async function overduePage(
  deps: ExpiryDeps,
  tenantId: string,
  now: Date,
  cursor: string | null,
): Promise<Page<InvitationItem>> {
  const at = now.toISOString();
  const result = await deps.entities.invitation.query
    .byId({ tenantId })
    .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.lte(a.expiresAt, at)}`)
    .go({ cursor });
  return { items: result.data, position: result.cursor };
}
