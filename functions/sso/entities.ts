// The SSO context's items. A tenant's domain claims live in its partition; a verified domain also has
// a claim in the global directory, whose conditional put makes one domain belong to one tenant.
// Sign-in reads and provisions users, so the identity items it touches are here too.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { createEntities, type DataTables } from '../../libs/data/entities.ts';
import { createDomainEntity } from '../../libs/data/domain-entity.ts';
import { createIdentityEntities } from '../../libs/data/identity-entities.ts';

const service = 'plinth';

/** How many domains and connections a tenant has, kept in step in each change's transaction. */
function ssoQuotaEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'ssoQuota', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        domains: { type: 'number' },
        connections: { type: 'number' },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'SSO#QUOTA' },
        },
      },
    },
    { table, client },
  );
}

const certificateAttribute = {
  type: 'list',
  items: {
    type: 'map',
    properties: {
      pem: { type: 'string', required: true },
      subject: { type: 'string', required: true },
      fingerprint: { type: 'string', required: true },
      notBefore: { type: 'string', required: true },
      notAfter: { type: 'string', required: true },
    },
  },
} as const;

/**
 * What an OIDC connection keeps of its provider: the configured issuer and client, the client secret
 * sealed with the deployment's `ssoSecret` key, and the endpoints discovery returned when the
 * connection was saved, so a sign-in does not depend on discovery answering.
 */
const oidcAttribute = {
  type: 'map',
  properties: {
    issuer: { type: 'string', required: true },
    clientId: { type: 'string', required: true },
    /** Sealed (libs/crypto/secret-box.ts); never returned. */
    clientSecretSealed: { type: 'string', required: true },
    scopes: { type: 'list', items: { type: 'string' }, required: true },
    authorizationEndpoint: { type: 'string', required: true },
    tokenEndpoint: { type: 'string', required: true },
    userinfoEndpoint: { type: 'string' },
    jwksUri: { type: 'string', required: true },
    /** How Plinth authenticates at the token endpoint, as the provider offers. */
    tokenAuthMethod: { type: ['client_secret_basic', 'client_secret_post'] as const, required: true },
    discoveredAt: { type: 'string', required: true },
  },
} as const;

/** A tenant's connection to its identity provider: SAML (the IdP's fields) or OIDC (`oidc`). */
function connectionEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'ssoConnection', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        connectionId: { type: 'string', required: true, readOnly: true },
        type: { type: ['saml', 'oidc'] as const, required: true, readOnly: true },
        name: { type: 'string', required: true },
        enabled: { type: 'boolean', required: true },
        /** Unsolicited responses accepted (SAML only); off unless the tenant turns it on. */
        allowIdpInitiated: { type: 'boolean', required: true },
        /** The SAML IdP's fields, present on every SAML connection and on no OIDC one. */
        idpEntityId: { type: 'string' },
        ssoUrl: { type: 'string' },
        ssoBinding: { type: 'string' },
        sloUrl: { type: 'string' },
        certificates: certificateAttribute,
        oidc: oidcAttribute,
        /** Which assertion attributes (SAML) or ID token claims (OIDC) hold the email, name and groups. */
        attributeMapping: {
          type: 'map',
          required: true,
          properties: {
            email: { type: 'string', required: true },
            name: { type: 'string', required: true },
            groups: { type: 'string', required: true },
          },
        },
        /** Roles a signed-in user gets per IdP group; a user in several groups gets all of theirs. */
        roleMapping: {
          type: 'list',
          items: {
            type: 'map',
            properties: {
              group: { type: 'string', required: true },
              roles: { type: 'list', items: { type: 'string' }, required: true },
            },
          },
        },
        /** Roles of a user none of whose groups is mapped. */
        defaultRoles: { type: 'list', items: { type: 'string' } },
        createdAt: { type: 'string', required: true, readOnly: true },
        createdBy: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byTenant: {
          pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 'T#${tenantId}' },
          sk: {
            field: 'sk',
            casing: 'none',
            composite: ['connectionId'],
            template: 'SSOCONN#${connectionId}',
          },
        },
      },
    },
    { table, client },
  );
}

/**
 * An assertion a connection accepted, kept until it expires so it is never accepted again. Each
 * connection has its own partition, so sign-ins through one IdP do not share the tenant's writes.
 */
function samlAssertionEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'samlAssertion', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        connectionId: { type: 'string', required: true, readOnly: true },
        assertionId: { type: 'string', required: true, readOnly: true },
        /** Epoch seconds: DynamoDB's TTL removes the item once the assertion could no longer pass. */
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byConnection: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId', 'connectionId'],
            template: 'T#${tenantId}#SAMLA#${connectionId}',
          },
          sk: { field: 'sk', casing: 'none', composite: ['assertionId'], template: 'A#${assertionId}' },
        },
      },
    },
    { table, client },
  );
}

/**
 * Which tenant a connection belongs to, by the connection id alone: the IdP posts to an ACS URL
 * that names the connection, before anyone is signed in. Written and removed with the connection.
 */
function connectionRefEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'ssoConnectionRef', version: '1', service },
      attributes: {
        connectionId: { type: 'string', required: true, readOnly: true },
        tenantId: { type: 'string', required: true, readOnly: true },
      },
      indexes: {
        byConnection: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['connectionId'],
            template: 'SSOCONN#${connectionId}',
          },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'SSOCONN' },
        },
      },
    },
    { table, client },
  );
}

/**
 * A sign-in Plinth started at the IdP: what the answer must match (the AuthnRequest's id for SAML; the
 * nonce and Plinth's own PKCE verifier for OIDC, whose `state` is this item's id), and where the app
 * wants the result. Used once; a test sign-in keeps its result for the admin who ran it.
 */
function signInEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'ssoSignIn', version: '1', service },
      attributes: {
        signInId: { type: 'string', required: true, readOnly: true },
        tenantId: { type: 'string', required: true, readOnly: true },
        connectionId: { type: 'string', required: true, readOnly: true },
        mode: { type: ['sign_in', 'test'] as const, required: true, readOnly: true },
        /** SAML: the AuthnRequest ID, the response's InResponseTo. */
        requestId: { type: 'string', readOnly: true },
        /** OIDC: the nonce the ID token must carry. */
        nonce: { type: 'string', readOnly: true },
        /** OIDC: Plinth's PKCE verifier towards the provider (not the app's, which stays with the app). */
        idpCodeVerifier: { type: 'string', readOnly: true },
        redirectUri: { type: 'string' },
        codeChallenge: { type: 'string' },
        /** The app's own `state`, handed back with the code. */
        appState: { type: 'string' },
        /** The admin who started a test. */
        startedBy: { type: 'string' },
        status: { type: ['pending', 'completed', 'failed'] as const, required: true },
        /** A test's outcome as JSON: the mapped attributes, or the refusal. */
        result: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', casing: 'none', composite: ['signInId'], template: 'SSOSIGNIN#${signInId}' },
          sk: { field: 'sk', casing: 'none', composite: [], template: 'SSOSIGNIN' },
        },
      },
    },
    { table, client },
  );
}

/** A refused sign-in through a connection, for the tenant's admin to debug their IdP; kept 30 days. */
function signInFailureEntity(table: string, client: DynamoDBClient) {
  return new Entity(
    {
      model: { entity: 'ssoFailure', version: '1', service },
      attributes: {
        tenantId: { type: 'string', required: true, readOnly: true },
        connectionId: { type: 'string', required: true, readOnly: true },
        /** ULID: the listing is newest first. */
        failureId: { type: 'string', required: true, readOnly: true },
        at: { type: 'string', required: true, readOnly: true },
        code: { type: 'string', required: true, readOnly: true },
        message: { type: 'string', required: true, readOnly: true },
        email: { type: 'string', readOnly: true },
        expiresAt: { type: 'number', required: true, readOnly: true },
      },
      indexes: {
        byConnection: {
          pk: {
            field: 'pk',
            casing: 'none',
            composite: ['tenantId', 'connectionId'],
            template: 'T#${tenantId}#SSOFAIL#${connectionId}',
          },
          sk: { field: 'sk', casing: 'none', composite: ['failureId'], template: 'F#${failureId}' },
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
  const identity = createIdentityEntities(tables);
  return {
    event: shared.event,
    tenant: shared.tenant,
    user: identity.user,
    role: identity.role,
    identitySettings: identity.identitySettings,
    signInProof: identity.signInProof,
    session: identity.session,
    connectionRef: connectionRefEntity(tables.tableName, tables.client),
    signIn: signInEntity(tables.tableName, tables.client),
    signInFailure: signInFailureEntity(tables.tableName, tables.client),
    domain: createDomainEntity(tables.tableName, tables.client),
    ssoQuota: ssoQuotaEntity(tables.tableName, tables.client),
    connection: connectionEntity(tables.tableName, tables.client),
    samlAssertion: samlAssertionEntity(tables.tableName, tables.client),
    domainClaim: domainClaimEntity(tables.directoryTableName, tables.client),
  };
}

export type SsoEntities = ReturnType<typeof createSsoEntities>;
export type DomainItem = EntityItem<SsoEntities['domain']>;
export type ConnectionItem = EntityItem<SsoEntities['connection']>;
export type SignInItem = EntityItem<SsoEntities['signIn']>;
export type SignInFailureItem = EntityItem<SsoEntities['signInFailure']>;
export type DomainClaimItem = EntityItem<SsoEntities['domainClaim']>;
