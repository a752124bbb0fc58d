// The local identity issuer: a Cognito user pool for one machine. It speaks the Cognito operations
// Plinth calls over HTTP, issues RS256 tokens with Cognito's claims from a key kept in its state
// file, serves their JWKS, and invokes the same trigger exports the identity manifest declares.
import type { LocalLog } from '../log.ts';
import { createAdminAuth } from './admin-auth.ts';
import { createAdminOperations } from './admin-operations.ts';
import { consoleOAuthScopes, localConsoleOrigin } from '../../console-client.ts';
import { createAuthFlows, refreshWithMetadata } from './auth-flows.ts';
import { createHostedUi } from './hosted-ui.ts';
import { createLocalPool } from './pool.ts';
import { startIdentityServer, type Operation } from './server.ts';
import { loadPoolState } from './state.ts';
import { jwksOf, loadSigningKey } from './tokens.ts';
import type { InvokeTrigger } from './triggers.ts';
import { createUserOperations } from './user-operations.ts';

export type { InvokeTrigger, TriggerName } from './triggers.ts';

export interface LocalIdentityOptions {
  /** Users, sessions, the pool's ids and its signing key; created on first start. Holds secrets (mode 0600). */
  stateFile: string;
  /** The region in the pool id and the token issuer; a state file serves one region. */
  region: string;
  /** Runs the export a context declares for a Cognito trigger; undefined when none declares it. */
  invokeTrigger: InvokeTrigger;
  log: LocalLog;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Epoch ms; tests move it to reach the next TOTP step or a token's expiry. @default Date.now */
  now?: () => number;
  /** Where the console's hosted sign-in may return, as its Cognito client's callback and sign-out URLs. @default the console's dev server */
  consoleUrls?: readonly string[];
}

export interface LocalIdentity {
  /** For AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER. */
  endpoint: string;
  /** `<region>_<9 alphanumerics>`, the same across restarts on one state file. */
  userPoolId: string;
  clientIds: { firstParty: string; console: string };
  /** Where the authorizer loads the JWKS from (IDENTITY_JWKS_URL). */
  jwksUrl: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, the `iss` of every token. */
  issuer: string;
  /** The hosted sign-in's base, as a Cognito domain's: `<hostedUrl>/oauth2/authorize`, `/oauth2/token`, `/logout`. */
  hostedUrl: string;
  stop(): Promise<void>;
}

export async function startLocalIdentity(options: LocalIdentityOptions): Promise<LocalIdentity> {
  const state = await loadPoolState(options.stateFile, options.region);
  const key = loadSigningKey(state.signingKey);
  const pool = createLocalPool({
    region: options.region,
    userPoolId: state.userPoolId,
    state,
    key,
    invokeTrigger: options.invokeTrigger,
    log: options.log,
    now: options.now ?? Date.now,
    stateFile: options.stateFile,
  });
  const flows = createAuthFlows(pool);
  const operations: Record<string, Operation> = {
    ...createAdminOperations(pool),
    ...createAdminAuth(pool, flows.custom),
    ...createUserOperations(pool),
    InitiateAuth: flows.initiateAuth,
    RespondToAuthChallenge: flows.respondToAuthChallenge,
    GetTokensFromRefreshToken: (body: unknown) => refreshWithMetadata(pool, body),
  };
  const jwksPath = `/${state.userPoolId}/.well-known/jwks.json`;
  const consoleUrls = options.consoleUrls ?? [localConsoleOrigin];
  const hosted = createHostedUi({
    pool,
    // Cognito's managed login has no custom authentication: its challenges are the password's.
    flows: { hostedSignIn: flows.hostedSignIn, respondToAuthChallenge: flows.answerPasswordChallenge },
    clients: [
      {
        clientId: state.clientIds.console,
        callbackUrls: consoleUrls,
        logoutUrls: consoleUrls,
        scopes: consoleOAuthScopes,
      },
    ],
  });
  const server = await startIdentityServer({
    operations,
    jwksPath,
    jwks: jwksOf(key),
    log: options.log,
    port: options.port ?? 0,
    hosted: hosted.handle,
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  options.log.info(`local identity: user pool ${state.userPoolId} on ${endpoint}`);
  return {
    endpoint,
    userPoolId: state.userPoolId,
    clientIds: { ...state.clientIds },
    jwksUrl: `${endpoint}${jwksPath}`,
    issuer: pool.issuer,
    hostedUrl: endpoint,
    stop: () => server.close(),
  };
}
