// The invitations context's items: invitations (found by id, by email within the tenant, and by the
// hash of their token alone), pending email changes waiting for their code, and the codes tried.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { createEntities } from '../../libs/data/entities.ts';
import { createIdentityEntities } from '../../libs/data/identity-entities.ts';
import { mailEntity } from '../../libs/mail/entity.ts';

const service = 'plinth';

export function invitationEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'invitation', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** `inv_<ulid>`. */
        invitationId: { type: 'string', required: true, readOnly: true },
        /** Lower-cased. */
        email: { type: 'string', required: true, readOnly: true },
        /** The invited person's name, when the inviter gave it. */
        name: { type: 'string' },
        roles: { type: 'list', items: { type: 'string' }, required: true, readOnly: true },
        /** Stored status; a pending invitation past `expiresAt` reads as expired. */
        status: { type: ['pending', 'accepted', 'revoked', 'expired'] as const, required: true },
        /** SHA-256 hex of the token; the token itself is only ever mailed. */
        tokenHash: { type: 'string', required: true },
        /** ISO time; a string, so the table's TTL never removes an invitation. */
        expiresAt: { type: 'string', required: true },
        /** `<actor type>:<actor id>`. */
        invitedBy: { type: 'string', required: true, readOnly: true },
        /** The bulk job that created it, so a job run twice recognises its own invitations. */
        jobId: { type: 'string', readOnly: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
        acceptedUserId: { type: 'string' },
        acceptedAt: { type: 'string' },
        revokedAt: { type: 'string' },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['invitationId'], template: 'INV#${invitationId}' },
        },
        byEmail: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            casing: 'none',
            composite: ['tenantId'],
            template: 'T#${tenantId}#INVITATIONS',
          },
          sk: {
            field: 'gsi1sk',
            casing: 'none',
            composite: ['email', 'invitationId'],
            template: '${email}#${invitationId}',
          },
        },
        byToken: {
          index: 'gsi2',
          pk: {
            field: 'gsi2pk',
            casing: 'none',
            composite: ['tokenHash'],
            template: 'INVTOKEN#${tokenHash}',
          },
          // The invitation id, not a constant: ElectroDB rebuilds a constant sort key as "undefined"
          // when an update (a resend) rewrites the token hash.
          sk: {
            field: 'gsi2sk',
            casing: 'none',
            composite: ['invitationId'],
            template: 'INV#${invitationId}',
          },
        },
      },
    },
    { table, client },
  );
}

/** A user's request to change their email, waiting for the code mailed to the new address. */
export function emailChangeEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'emailChange', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        userId: { type: 'string', required: true, readOnly: true },
        /** The new address, lower-cased. */
        email: { type: 'string', required: true, readOnly: true },
        /** SHA-256 hex of the user id and the six-digit code. */
        codeHash: { type: 'string', required: true, readOnly: true },
        /** Wrong codes entered so far; the change is dropped after a few. */
        attempts: { type: 'number', required: true, default: 0 },
        createdAt: { type: 'string', required: true, readOnly: true },
        /** Epoch seconds: the code's expiry, and the TTL that removes the item. */
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byUser: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: ['userId'], template: 'EMAILCHANGE#${userId}' },
        },
      },
    },
    { table, client },
  );
}

/**
 * The codes a user entered in one hour, whatever code they were for: asking for a new code starts a
 * new change, not a new count, so six digits cannot be tried through by asking again and again.
 */
export function emailCodeAttemptsEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'emailCodeAttempts', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        userId: { type: 'string', required: true, readOnly: true },
        /** Epoch seconds at which the hour being counted began. */
        windowStart: { type: 'number', required: true, readOnly: true },
        attempts: { type: 'number', required: true, default: 0 },
        /** Epoch seconds: the TTL that removes the count once its hour is long over. */
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        byUserWindow: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: {
            field: 'sk',
            casing: 'none',
            composite: ['userId', 'windowStart'],
            template: 'EMAILCODEATTEMPTS#${userId}#${windowStart}',
          },
        },
      },
    },
    { table, client },
  );
}

export interface InvitationTables {
  client: DynamoDBClient;
  tableName: string;
  directoryTableName: string;
}

/** Every entity the invitations context writes together in one transaction (all in the main table). */
export function createInvitationEntities(tables: InvitationTables) {
  const { tenant, event, job, sweepPosition } = createEntities(tables);
  const { user, role, identitySettings } = createIdentityEntities(tables);
  return {
    tenant,
    event,
    job,
    sweepPosition,
    user,
    role,
    identitySettings,
    invitation: invitationEntity(tables.tableName, tables.client),
    emailChange: emailChangeEntity(tables.tableName, tables.client),
    emailCodeAttempts: emailCodeAttemptsEntity(tables.tableName, tables.client),
    mail: mailEntity(tables.tableName, tables.client),
  };
}

export type InvitationEntities = ReturnType<typeof createInvitationEntities>;
export type InvitationItem = EntityItem<InvitationEntities['invitation']>;
export type InvitationStatus = InvitationItem['status'];
export type EmailChangeItem = EntityItem<InvitationEntities['emailChange']>;
