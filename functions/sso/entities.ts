// The SSO context's items. A tenant's domain claims live in its partition; a verified domain also has
// a claim in the global directory, whose conditional put makes one domain belong to one tenant.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { createEntities, type DataTables } from '../../libs/data/entities.ts';

const service = 'plinth';

function domainEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'domain', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** Canonical: lowercase ASCII, no trailing dot (functions/sso/domains.ts). */
        domain: { type: 'string', required: true, readOnly: true },
        status: { type: ['pending', 'verified'] as const, required: true },
        /** Public by design: it is published in the domain's DNS. */
        verificationToken: { type: 'string', required: true, readOnly: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        createdBy: { type: 'string', required: true, readOnly: true },
        verifiedAt: { type: 'string' },
        lastCheckedAt: { type: 'string' },
        /** Why the last check did not verify the claim; removed once it does. */
        lastCheckError: { type: 'string' },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['domain'], template: 'DOMAIN#${domain}' },
        },
      },
    },
    { table, client },
  );
}

/** How many domains a tenant has claimed, kept in step in each claim's and removal's transaction. */
function domainCountEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'domainCount', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        count: { type: 'number', required: true, default: 0 },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'DOMAINS' },
        },
      },
    },
    { table, client },
  );
}

/** A verified domain, deployment-wide: the tenant that proved it and that tenant's home region. */
function domainClaimEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'domainClaim', version: '1', service },
      attributes: {
        domain: { type: 'string', required: true, readOnly: true },
        tenantId: { type: 'string', required: true, readOnly: true },
        homeRegion: { type: 'string', required: true, readOnly: true },
        verifiedAt: { type: 'string', required: true, readOnly: true },
      },
      indexes: {
        byDomain: {
          pk: { field: 'pk', casing: 'none', composite: ['domain'], template: 'DOMAIN#${domain}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'DOMAIN' },
        },
      },
    },
    { table, client },
  );
}

export function createSsoEntities(tables: DataTables) {
  const shared = createEntities(tables);
  return {
    event: shared.event,
    domain: domainEntity(tables.tableName, tables.client),
    domainCount: domainCountEntity(tables.tableName, tables.client),
    domainClaim: domainClaimEntity(tables.directoryTableName, tables.client),
  };
}

export type SsoEntities = ReturnType<typeof createSsoEntities>;
export type DomainItem = EntityItem<SsoEntities['domain']>;
export type DomainClaimItem = EntityItem<SsoEntities['domainClaim']>;
