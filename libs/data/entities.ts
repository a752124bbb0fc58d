// Plinth's access patterns on its two tables, declared once with ElectroDB. Handlers never build keys:
// they call store functions that use these entities.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { primaryKeys } from './primary-keys.ts';

const service = 'plinth';

function tenantEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'tenant', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        slug: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        plan: { type: 'string', required: true },
        homeRegion: { type: 'string', required: true, readOnly: true },
        status: { type: ['active', 'suspended'] as const, required: true },
        suspendedReason: { type: 'string' },
        /** Active API keys, kept in step with key creation and revocation in the same transaction. */
        activeApiKeys: { type: 'number', required: true, default: 0 },
        /** Users who hold a seat (active or deactivated, not deleted), kept in step in the same transaction. */
        activeUsers: { type: 'number', required: true, default: 0 },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: primaryKeys.tenant.pk },
          sk: { field: 'sk', casing: 'none', composite: [], template: primaryKeys.tenant.sk },
        },
        all: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', casing: 'none', composite: [], template: 'TENANTS' },
          sk: { field: 'gsi1sk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
        },
        byStatus: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', casing: 'none', composite: ['status'], template: 'TENANTS#${status}' },
          sk: { field: 'gsi2sk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
        },
      },
    },
    { table, client },
  );
}

function apiKeyEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'apiKey', version: '1', service },
      attributes: {
        /** The owning tenant's id, or `platform` for platform admin keys. */
        ownerId: { type: 'string', required: true, readOnly: true },
        keyId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        scopes: { type: 'list', items: { type: 'string' }, required: true },
        prefix: { type: 'string', required: true, readOnly: true },
        /** SHA-256 of the key's 256-bit random secret; the secret itself is never stored. */
        secretHash: { type: 'string', required: true, readOnly: true },
        status: { type: ['active', 'revoked'] as const, required: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        createdBy: { type: 'string', required: true, readOnly: true },
        lastUsedAt: { type: 'string' },
        revokedAt: { type: 'string' },
      },
      indexes: {
        byOwner: {
          pk: { field: 'pk', casing: 'none', composite: ['ownerId'], template: primaryKeys.apiKey.pk },
          sk: { field: 'sk', casing: 'none', composite: ['keyId'], template: primaryKeys.apiKey.sk },
        },
      },
    },
    { table, client },
  );
}

function eventEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'event', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** A ULID, so the sort key orders events by time. */
        eventId: { type: 'string', required: true, readOnly: true },
        type: { type: 'string', required: true, readOnly: true },
        version: { type: 'number', required: true, readOnly: true },
        actor: {
          type: 'map',
          required: true,
          properties: { type: { type: 'string', required: true }, id: { type: 'string', required: true } },
        },
        occurredAt: { type: 'string', required: true, readOnly: true },
        data: { type: 'any', required: true },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['eventId'], template: 'EV#${eventId}' },
        },
      },
    },
    { table, client },
  );
}

/** A long-running job of a tenant: its input, progress and per-row results. */
function jobEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'job', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        jobId: { type: 'string', required: true, readOnly: true },
        /** Names the runner (functions/jobs/runners.ts), e.g. `invitations.bulk`. */
        kind: { type: 'string', required: true, readOnly: true },
        status: { type: ['queued', 'running', 'succeeded', 'failed'] as const, required: true },
        input: { type: 'any', required: true, readOnly: true },
        /** Rows the job will process; 0 when unknown until it runs. */
        total: { type: 'number', required: true },
        processed: { type: 'number', required: true, default: 0 },
        succeeded: { type: 'number', required: true, default: 0 },
        failed: { type: 'number', required: true, default: 0 },
        /** One entry per processed row, in input order. */
        results: { type: 'any' },
        /** Where a runner that pages through items stopped: a re-run goes on from here. */
        position: { type: 'string' },
        error: { type: 'string' },
        createdBy: { type: 'string', required: true, readOnly: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
        completedAt: { type: 'string' },
        /** Epoch seconds; the record is removed by TTL after the plan's retention. */
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['jobId'], template: 'JOB#${jobId}' },
        },
      },
    },
    { table, client },
  );
}

/**
 * Where a scheduled sweep over every tenant stopped when it ran out of time, so the next run goes on
 * from there instead of starting again at the first tenant. One item per sweep, not a tenant's.
 */
function sweepPositionEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'sweepPosition', version: '1', service },
      attributes: {
        /** The sweep's name, e.g. `invitations.expiry`. */
        sweep: { type: 'string', required: true, readOnly: true },
        /** The position after the last tenant the sweep finished, on its tenant index. */
        position: { type: 'string', required: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        bySweep: {
          pk: { field: 'pk', casing: 'none', composite: ['sweep'], template: 'SWEEP#${sweep}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'POSITION' },
        },
      },
    },
    { table, client },
  );
}

/** The directory's record of a tenant: no personal data, only what routing a request needs. */
function directoryTenantEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'directoryTenant', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        slug: { type: 'string', required: true, readOnly: true },
        homeRegion: { type: 'string', required: true, readOnly: true },
        status: { type: ['active', 'suspended'] as const, required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'TENANT#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'DIRECTORY' },
        },
      },
    },
    { table, client },
  );
}

/** One item per slug makes slugs unique across the deployment with a conditional put. */
function slugClaimEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'slugClaim', version: '1', service },
      attributes: {
        slug: { type: 'string', required: true, readOnly: true },
        tenantId: { type: 'string', required: true, readOnly: true },
        homeRegion: { type: 'string', required: true, readOnly: true },
      },
      indexes: {
        bySlug: {
          pk: { field: 'pk', casing: 'none', composite: ['slug'], template: 'SLUG#${slug}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'SLUG' },
        },
      },
    },
    { table, client },
  );
}

export interface DataTables {
  client: DynamoDBClient;
  tableName: string;
  directoryTableName: string;
}

export function createEntities({ client, tableName, directoryTableName }: DataTables) {
  return {
    tenant: tenantEntity(tableName, client),
    apiKey: apiKeyEntity(tableName, client),
    event: eventEntity(tableName, client),
    job: jobEntity(tableName, client),
    sweepPosition: sweepPositionEntity(tableName, client),
    directoryTenant: directoryTenantEntity(directoryTableName, client),
    slugClaim: slugClaimEntity(directoryTableName, client),
  };
}

export type Entities = ReturnType<typeof createEntities>;
export type TenantItem = EntityItem<Entities['tenant']>;
export type ApiKeyItem = EntityItem<Entities['apiKey']>;
export type EventItem = EntityItem<Entities['event']>;
export type JobItem = EntityItem<Entities['job']>;
