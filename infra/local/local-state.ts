// `.plinth/local.json`: everything a developer (or a script) needs to reach the running local
// Plinth — the API, an admin key, how to sign in, every stand-in's endpoint and resource names.
import { join } from 'node:path';
import type { LocalNames, LocalEndpoints, LocalQueueAddresses } from './environment.ts';
import type { LocalIdentity } from './identity/index.ts';
import type { LocalOidcServer } from './idps/oidc-server.ts';
import type { LocalSamlServer } from './idps/saml-server.ts';
import { writeJsonFile } from './state-files.ts';

export interface LocalState {
  apiUrl: string;
  admin: { id: string; secret: string };
  region: string;
  dataDir: string;
  endpoints: LocalEndpoints;
  /** fauxqs serves SQS and S3 on one port; SDK clients use this form. */
  sqsAndS3Endpoint: string;
  identity: LocalIdentity;
  names: LocalNames;
  queues: ReadonlyMap<string, LocalQueueAddresses>;
  samlIdp: LocalSamlServer;
  oidcIdp: LocalOidcServer;
}

export function writeLocalState(state: LocalState): void {
  const { identity, names } = state;
  writeJsonFile(
    join(state.dataDir, 'local.json'),
    {
      apiUrl: state.apiUrl,
      paths: 'every route path starts with /v1, e.g. <apiUrl>/v1/openapi.json',
      adminApiKey: state.admin.secret,
      adminApiKeyId: state.admin.id,
      region: state.region,
      dataDir: state.dataDir,
      dynamodbEndpoint: state.endpoints.dynamodb,
      sqsEndpoint: state.sqsAndS3Endpoint,
      s3Endpoint: state.sqsAndS3Endpoint,
      eventBridgeEndpoint: state.endpoints.eventBridge,
      schedulerEndpoint: state.endpoints.scheduler,
      sesEndpoint: state.endpoints.ses,
      identityEndpoint: identity.endpoint,
      samlIdp: {
        url: state.samlIdp.url,
        metadataUrl: state.samlIdp.metadataUrl,
        how: "create a SAML connection from metadataUrl's XML; sign in as one of users",
        users: state.samlIdp.users.map(({ email, password, groups }) => ({ email, password, groups })),
      },
      oidcIdp: {
        url: state.oidcIdp.url,
        issuer: state.oidcIdp.issuer,
        discoveryUrl: state.oidcIdp.discoveryUrl,
        how: 'create an OIDC connection with this issuer and client (code + PKCE, any loopback redirect URI); sign in as one of users, adding oneTimeCode for amr ["pwd","otp"]',
        clientId: state.oidcIdp.client.clientId,
        clientSecret: state.oidcIdp.client.clientSecret,
        users: state.oidcIdp.users.map(({ email, password, groups }) => ({ email, password, groups })),
        oneTimeCode: state.oidcIdp.oneTimeCode,
      },
      signIn: {
        how: 'InitiateAuth (USER_PASSWORD_AUTH) against identityEndpoint with the first-party client; send the AccessToken as a Bearer token',
        userPoolId: identity.userPoolId,
        clientId: identity.clientIds.firstParty,
        consoleClientId: identity.clientIds.console,
        hostedSignIn: `${identity.hostedUrl}/oauth2/authorize (authorization code + PKCE with consoleClientId; /oauth2/token, /oauth2/userInfo, /logout as on a Cognito domain)`,
        issuer: identity.issuer,
        jwksUrl: identity.jwksUrl,
      },
      mailOutbox: `${state.apiUrl}/local/mail`,
      scheduleGroup: names.scheduleGroup,
      tables: { main: names.table, directory: names.directoryTable },
      eventBusName: names.eventBus,
      queues: Object.fromEntries(
        [...state.queues].map(([name, q]) => [name, { url: q.url, deadLetterUrl: q.deadLetterUrl }]),
      ),
      buckets: names.buckets,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    },
    { mode: 0o600 },
  );
}
