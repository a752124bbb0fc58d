// Access patterns of the SSO context's domain claims and connections. Every change is one transaction with its event;
// a verified domain's directory claim is written and removed in the same transaction as its status.
import { createWriteTransaction } from 'electrodb';
import {
  eventItem,
  rejectedIndexes,
  type Actor,
  type Page,
  type PageRequest,
  underLimit,
  limitReached,
  transactionConflict,
  concurrentUpdate,
  writeWithEvent,
  ifConditionHolds,
} from '../../libs/data/outbox.ts';
import type { Problem } from '../../libs/http/problem.ts';
import { problems } from '../../libs/http/problem.ts';
import type { ConnectionItem, DomainClaimItem, DomainItem, SsoEntities } from './entities.ts';
import { connectionSnapshot } from './present.ts';

/** Another tenant verified the domain first. */
export function domainTaken(domain: string): Problem {
  return problems.conflict(
    'domain_taken',
    `${domain} is verified by another tenant; a domain belongs to one tenant. Ask Plinth's operator if it is yours.`,
    { domain },
  );
}

export function createSsoStore(entities: SsoEntities, clock: () => Date = () => new Date()) {
  async function getDomain(tenantId: string, domain: string): Promise<DomainItem | undefined> {
    const { data } = await entities.domain.get({ tenantId, domain }).go({ consistent: true });
    return data ?? undefined;
  }

  async function requireDomain(tenantId: string, domain: string): Promise<DomainItem> {
    const found = await getDomain(tenantId, domain);
    if (!found) throw problems.notFound(`The domain ${domain}`);
    return found;
  }

  async function listDomains(tenantId: string, page: PageRequest): Promise<Page<DomainItem>> {
    const result = await entities.domain.query
      .byTenant({ tenantId })
      .go({ limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  /** The tenant that verified `domain`, deployment-wide, if any. */
  async function claimOf(domain: string): Promise<DomainClaimItem | undefined> {
    const { data } = await entities.domainClaim.get({ domain }).go({ consistent: true });
    return data ?? undefined;
  }

  /** Adds a pending claim, counted against `limit` in the same transaction. */
  async function addDomain(
    input: Pick<DomainItem, 'tenantId' | 'domain' | 'verificationToken' | 'createdBy'>,
    limit: number,
    actor: Actor,
  ): Promise<DomainItem> {
    const now = clock();
    const item: DomainItem = { ...input, status: 'pending', createdAt: now.toISOString() };
    const { tenantId, domain } = item;
    const event = eventItem(tenantId, actor, 'domain.created', { domain, status: 'pending' }, now);
    const result = await createWriteTransaction(entities, (e) => [
      e.ssoQuota
        .update({ tenantId })
        .add({ domains: 1 })
        .where((a, op) => underLimit(a.domains, limit, op))
        .commit(),
      e.domain.create(item).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      const rejected = rejectedIndexes(result.data);
      if (rejected.includes(1)) {
        throw problems.conflict('domain_exists', `The tenant has already added ${domain}.`, { domain });
      }
      if (rejected.includes(0)) {
        throw limitReached(limit, 'domains', `A tenant may claim at most ${limit} domains.`);
      }
      throw transactionConflict(`${domain} could not be added`);
    }
    return item;
  }

  /** Notes a check that did not prove the claim, so the tenant's admin sees why. */
  async function recordFailedCheck(current: DomainItem, reason: string): Promise<DomainItem> {
    const lastCheckedAt = clock().toISOString();
    await ifConditionHolds(
      entities.domain
        .patch({ tenantId: current.tenantId, domain: current.domain })
        .set({ lastCheckedAt, lastCheckError: reason })
        .where((a, op) => op.eq(a.status, 'pending'))
        .go(),
    );
    return { ...current, lastCheckedAt, lastCheckError: reason };
  }

  /**
   * Marks a pending claim verified and claims the domain deployment-wide, which fails when another
   * tenant verified it first (409 `domain_taken`).
   */
  async function markVerified(current: DomainItem, homeRegion: string, actor: Actor): Promise<DomainItem> {
    const now = clock();
    const verifiedAt = now.toISOString();
    const { tenantId, domain } = current;
    const event = eventItem(tenantId, actor, 'domain.verified', { domain }, now);
    const result = await createWriteTransaction(entities, (e) => [
      e.domainClaim.create({ domain, tenantId, homeRegion, verifiedAt }).commit(),
      e.domain
        .patch({ tenantId, domain })
        .set({ status: 'verified', verifiedAt, lastCheckedAt: verifiedAt })
        .remove(['lastCheckError'])
        .where((a, op) => op.eq(a.status, 'pending'))
        .commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      const rejected = rejectedIndexes(result.data);
      if (rejected.includes(0)) {
        const owner = await claimOf(domain);
        if (owner?.tenantId !== tenantId) {
          throw domainTaken(domain);
        }
      }
      if (rejected.includes(1)) {
        const now = await getDomain(tenantId, domain);
        if (!now) throw problems.notFound(`The domain ${domain}`);
        if (now.status === 'verified') return now;
      }
      throw transactionConflict(`${domain} could not be verified`);
    }
    const { lastCheckError: _dropped, ...rest } = current;
    return { ...rest, status: 'verified', verifiedAt, lastCheckedAt: verifiedAt };
  }

  /** Removes a claim; a verified one also frees the domain for other tenants. */
  async function removeDomain(current: DomainItem, actor: Actor): Promise<void> {
    const { tenantId, domain } = current;
    const wasVerified = current.status === 'verified';
    const event = eventItem(tenantId, actor, 'domain.deleted', { domain, wasVerified }, clock());
    const result = await createWriteTransaction(entities, (e) => [
      // The status read decides whether the directory claim goes too; a verification since fails this.
      e.domain
        .delete({ tenantId, domain })
        .where((a, op) => op.eq(a.status, current.status))
        .commit(),
      e.ssoQuota.update({ tenantId }).subtract({ domains: 1 }).commit(),
      e.event.create(event).commit(),
      ...(wasVerified
        ? [
            e.domainClaim
              .delete({ domain })
              .where((a, op) => op.eq(a.tenantId, tenantId))
              .commit(),
          ]
        : []),
    ]).go();
    if (result.canceled) {
      if (rejectedIndexes(result.data).includes(0)) {
        if (!(await getDomain(tenantId, domain))) throw problems.notFound(`The domain ${domain}`);
        throw concurrentUpdate();
      }
      throw transactionConflict(`${domain} could not be removed`);
    }
  }

  async function getConnection(tenantId: string, connectionId: string): Promise<ConnectionItem | undefined> {
    const { data } = await entities.connection.get({ tenantId, connectionId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function requireConnection(tenantId: string, connectionId: string): Promise<ConnectionItem> {
    const found = await getConnection(tenantId, connectionId);
    if (!found) throw problems.notFound('The SSO connection');
    return found;
  }

  async function listConnections(tenantId: string, page: PageRequest): Promise<Page<ConnectionItem>> {
    const result = await entities.connection.query
      .byTenant({ tenantId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  async function createConnection(
    item: ConnectionItem,
    limit: number,
    actor: Actor,
  ): Promise<ConnectionItem> {
    const { tenantId } = item;
    const event = eventItem(
      tenantId,
      actor,
      'sso.connection.created',
      { connection: connectionSnapshot(item) },
      new Date(item.createdAt),
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.ssoQuota
        .update({ tenantId })
        .add({ connections: 1 })
        .where((a, op) => underLimit(a.connections, limit, op))
        .commit(),
      e.connection.create(item).commit(),
      e.connectionRef.create({ connectionId: item.connectionId, tenantId }).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      if (rejectedIndexes(result.data).includes(0)) {
        throw limitReached(limit, 'ssoConnections', `A tenant may have at most ${limit} SSO connections.`);
      }
      throw transactionConflict('The SSO connection could not be created');
    }
    return item;
  }

  /** Writes `next` with an event naming what changed, if nothing else changed it since `current` was read. */
  async function updateConnection(
    current: ConnectionItem,
    next: ConnectionItem,
    changes: Record<string, { from: unknown; to: unknown }>,
    actor: Actor,
  ): Promise<ConnectionItem> {
    const { tenantId, connectionId } = current;
    const now = clock();
    const saved = { ...next, updatedAt: now.toISOString() };
    const event = eventItem(
      tenantId,
      actor,
      'sso.connection.updated',
      { connection: connectionSnapshot(saved), changes },
      now,
    );
    await writeWithEvent(entities, event, (e) => [
      e.connection
        .patch({ tenantId, connectionId })
        .set({
          name: saved.name,
          enabled: saved.enabled,
          allowIdpInitiated: saved.allowIdpInitiated,
          attributeMapping: saved.attributeMapping,
          roleMapping: saved.roleMapping ?? [],
          defaultRoles: saved.defaultRoles ?? [],
          updatedAt: saved.updatedAt,
          ...(saved.type === 'oidc'
            ? { oidc: saved.oidc }
            : {
                idpEntityId: saved.idpEntityId,
                ssoUrl: saved.ssoUrl,
                ssoBinding: saved.ssoBinding,
                certificates: saved.certificates,
                ...(saved.sloUrl !== undefined ? { sloUrl: saved.sloUrl } : {}),
              }),
        })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
    ]);
    return saved;
  }

  async function deleteConnection(current: ConnectionItem, actor: Actor): Promise<void> {
    const { tenantId, connectionId } = current;
    const event = eventItem(tenantId, actor, 'sso.connection.deleted', { connectionId }, clock());
    const result = await createWriteTransaction(entities, (e) => [
      e.connection
        .delete({ tenantId, connectionId })
        .where((a, op) => op.exists(a.connectionId))
        .commit(),
      e.ssoQuota.update({ tenantId }).subtract({ connections: 1 }).commit(),
      e.connectionRef.delete({ connectionId }).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      if (rejectedIndexes(result.data).includes(0)) throw problems.notFound('The SSO connection');
      throw transactionConflict('The SSO connection could not be deleted');
    }
  }

  /** A connection by its id alone, as the IdP's post names it; undefined when there is none. */
  async function findConnection(connectionId: string): Promise<ConnectionItem | undefined> {
    const { data: ref } = await entities.connectionRef.get({ connectionId }).go();
    return ref ? getConnection(ref.tenantId, connectionId) : undefined;
  }

  /** The tenant's enabled connections, at most the tenant's limit of them. */
  async function enabledConnections(tenantId: string): Promise<ConnectionItem[]> {
    const { data } = await entities.connection.query
      .byTenant({ tenantId })
      .where((a, op) => op.eq(a.enabled, true))
      .go({ pages: 'all' });
    return data;
  }

  /** The tenant's custom roles among `roleIds`; ids of roles that do not exist are left out. */
  async function customRoles(tenantId: string, roleIds: readonly string[]) {
    if (roleIds.length === 0) return [];
    const { data } = await entities.role.get(roleIds.map((roleId) => ({ tenantId, roleId }))).go();
    return data;
  }

  async function getUser(tenantId: string, userId: string) {
    const { data } = await entities.user.get({ tenantId, userId }).go({ consistent: true });
    return data ?? undefined;
  }

  return {
    customRoles,
    getUser,
    findConnection,
    enabledConnections,
    getDomain,
    requireDomain,
    listDomains,
    claimOf,
    addDomain,
    recordFailedCheck,
    markVerified,
    removeDomain,
    requireConnection,
    listConnections,
    createConnection,
    updateConnection,
    deleteConnection,
  };
}

export type SsoStore = ReturnType<typeof createSsoStore>;
