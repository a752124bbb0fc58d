// The identity items of the main table: users, custom roles, sign-in sessions and a tenant's identity
// settings. Shared because the authorizer and the invitations context read them too.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { primaryKeys } from './primary-keys.ts';

const service = 'plinth';

/** The keys of a user item in gsi2: a person's memberships, one per tenant. */
export const personIndex = { pk: 'PERSON#${userId}', sk: 'T#${tenantId}' } as const;

/** `personIndex` filled in, for writers that bypass the entity (migrations). */
export function personIndexKeys(userId: string, tenantId: string): { gsi2pk: string; gsi2sk: string } {
  return {
    gsi2pk: personIndex.pk.replace('${userId}', userId),
    gsi2sk: personIndex.sk.replace('${tenantId}', tenantId),
  };
}

function userEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'user', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** The user's Cognito `sub`. */
        userId: { type: 'string', required: true, readOnly: true },
        /** Lower-cased, so lookups and the email prefix search are case-insensitive. */
        email: { type: 'string', required: true },
        emailVerified: { type: 'boolean', required: true },
        name: { type: 'string', required: true },
        /** Built-in role names (libs/auth/roles.ts) or custom role ids `role_<ulid>`. */
        roles: { type: 'list', items: { type: 'string' }, required: true },
        status: { type: ['active', 'deactivated'] as const, required: true },
        /** Whether the user has TOTP enrolled in the user pool. */
        mfaEnrolled: { type: 'boolean', required: true, default: false },
        /**
         * Epoch milliseconds of the last "sign out everywhere" or deactivation: tokens of sign-ins up to
         * then are refused. Milliseconds, so a sign-in in the same second is told apart.
         */
        tokensNotBeforeMs: { type: 'number' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
        lastSignInAt: { type: 'string' },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: primaryKeys.user.pk },
          sk: { field: 'sk', casing: 'none', composite: ['userId'], template: primaryKeys.user.sk },
        },
        byEmail: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}#USERS' },
          sk: { field: 'gsi1sk', casing: 'none', composite: ['email'], template: '${email}' },
        },
        /**
         * One person (one pool user, one `sub`) may be a user of several tenants: this lists their
         * memberships. Items written before it existed get its keys from `npm run migrate`.
         */
        byPerson: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', casing: 'none', composite: ['userId'], template: personIndex.pk },
          sk: { field: 'gsi2sk', casing: 'none', composite: ['tenantId'], template: personIndex.sk },
        },
      },
    },
    { table, client },
  );
}

/** A tenant-defined role; built-in roles are code (libs/auth/roles.ts), not items. */
function roleEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'role', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        /** `role_<ulid>`. */
        roleId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        description: { type: 'string' },
        permissions: { type: 'list', items: { type: 'string' }, required: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: primaryKeys.role.pk },
          sk: { field: 'sk', casing: 'none', composite: ['roleId'], template: primaryKeys.role.sk },
        },
      },
    },
    { table, client },
  );
}

/** One sign-in of a user: every token of it (refreshed ones too) carries the same origin_jti. */
function sessionEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'session', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        userId: { type: 'string', required: true, readOnly: true },
        /** The tokens' origin_jti. */
        sessionId: { type: 'string', required: true, readOnly: true },
        userAgent: { type: 'string', required: true },
        ip: { type: 'string', required: true },
        startedAt: { type: 'string', required: true, readOnly: true },
        lastSeenAt: { type: 'string', required: true },
        status: { type: ['active', 'revoked'] as const, required: true },
        revokedAt: { type: 'string' },
        /** Set when the session began with SSO: the connection it came through. */
        connectionId: { type: 'string' },
        /** The IdP proved a second factor at the SSO sign-in; counts as MFA for the tenant's policy. */
        ssoMfa: { type: 'boolean' },
        /** Epoch seconds (TTL): 30 days, the longest a refresh token lives. */
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        byUser: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId'],
            template: primaryKeys.session.pk,
          },
          sk: {
            field: 'sk',
            casing: 'none',
            composite: ['userId', 'sessionId'],
            template: primaryKeys.session.sk,
          },
        },
      },
    },
    { table, client },
  );
}

/** A tenant's sign-in policy. A missing item means MFA optional, no grace, the deployment's expiry. */
function identitySettingsEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'identitySettings', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        mfaPolicy: { type: ['off', 'optional', 'required'] as const, required: true },
        /** Days after `mfaRequiredSince` that users without MFA may still use the API. */
        mfaGraceDays: { type: 'number', required: true, default: 0 },
        /** ISO time the policy last became `required`; the grace period counts from here. */
        mfaRequiredSince: { type: 'string' },
        /** Days an invitation can be accepted; the deployment's default when absent. */
        invitationExpiryDays: { type: 'number' },
        /**
         * `required`: users whose email is in one of the tenant's verified domains sign in through SSO
         * only; their password sign-ins and password sessions are refused. Optional when absent.
         */
        ssoPolicy: { type: ['optional', 'required'] as const },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byTenant: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId'],
            template: primaryKeys.identitySettings.pk,
          },
          sk: {
            field: 'sk',
            casing: 'none',
            composite: [],
            template: primaryKeys.identitySettings.sk,
          },
        },
      },
    },
    { table, client },
  );
}

/**
 * The one-time code a completed SSO sign-in hands to the app, by its hash. The user pool's custom
 * authentication takes the code as its answer: the verify trigger consumes the item, after checking
 * the app's PKCE verifier, so the code signs in once, for the user it names, within its minutes.
 */
function signInProofEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'signInProof', version: '1', service },
      attributes: {
        /** SHA-256 of the code, base64url; the code itself is never stored. */
        codeHash: { type: 'string', required: true, readOnly: true },
        tenantId: { type: 'string', required: true, readOnly: true },
        userId: { type: 'string', required: true, readOnly: true },
        /** The user pool username the custom sign-in names. */
        username: { type: 'string', required: true, readOnly: true },
        /** The app's PKCE S256 challenge; the verifier must match it. */
        codeChallenge: { type: 'string', required: true, readOnly: true },
        connectionId: { type: 'string', required: true, readOnly: true },
        /** Whether the IdP said the person passed a second factor (amr / AuthnContext). */
        mfa: { type: 'boolean', required: true, readOnly: true },
        /** Epoch seconds: unusable after, and removed by DynamoDB's TTL. */
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byCode: {
          pk: { field: 'pk', casing: 'none', composite: ['codeHash'], template: 'PROOF#${codeHash}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'PROOF' },
        },
      },
    },
    { table, client },
  );
}

export interface IdentityTable {
  client: DynamoDBClient;
  tableName: string;
}

export function createIdentityEntities({ client, tableName }: IdentityTable) {
  return {
    user: userEntity(tableName, client),
    role: roleEntity(tableName, client),
    session: sessionEntity(tableName, client),
    identitySettings: identitySettingsEntity(tableName, client),
    signInProof: signInProofEntity(tableName, client),
  };
}

export type IdentityEntities = ReturnType<typeof createIdentityEntities>;
export type UserItem = EntityItem<IdentityEntities['user']>;
export type RoleItem = EntityItem<IdentityEntities['role']>;
export type SessionItem = EntityItem<IdentityEntities['session']>;
export type IdentitySettingsItem = EntityItem<IdentityEntities['identitySettings']>;
export type SignInProofItem = EntityItem<IdentityEntities['signInProof']>;
export type UserStatus = UserItem['status'];
export type MfaPolicy = IdentitySettingsItem['mfaPolicy'];
export type SsoPolicy = NonNullable<IdentitySettingsItem['ssoPolicy']>;
