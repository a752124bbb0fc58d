// One local user pool as the operations see it: its ids, state and clock, the key that signs its
// tokens, its triggers, and the session bookkeeping (sign-in, refresh, revocation) they share.
import { randomUUID } from 'node:crypto';
import type { LocalLog } from '../log.ts';
import { CognitoError, userDoesNotExist, userIsDisabled } from './protocol.ts';
import { writePoolState, type PoolState, type SessionRecord, type UserRecord } from './state.ts';
import {
  hashRefreshToken,
  issueTokens,
  newRefreshToken,
  readSignedJwt,
  refreshTokenMs,
  userAdminScope,
  type SigningKey,
} from './tokens.ts';
import {
  runPostAuthentication,
  runPreTokenGeneration,
  type InvokeTrigger,
  type TokenGenerationSource,
  type TriggerCall,
} from './triggers.ts';

export interface LocalPool {
  region: string;
  userPoolId: string;
  issuer: string;
  state: PoolState;
  key: SigningKey;
  invokeTrigger: InvokeTrigger;
  log: LocalLog;
  now(): number;
  /** Persists the state; every operation that changes it calls this before answering. */
  save(): void;
}

export function createLocalPool(
  input: Omit<LocalPool, 'issuer' | 'save'> & { stateFile: string },
): LocalPool {
  const { stateFile, ...pool } = input;
  return {
    ...pool,
    issuer: `https://cognito-idp.${pool.region}.amazonaws.com/${pool.userPoolId}`,
    save: () => writePoolState(stateFile, pool.state, pool.now()),
  };
}

export function assertUserPool(pool: LocalPool, userPoolId: string): void {
  if (userPoolId !== pool.userPoolId) {
    throw new CognitoError('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
  }
}

export function assertClient(pool: LocalPool, clientId: string): void {
  if (!Object.values(pool.state.clientIds).includes(clientId)) {
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }
}

export function triggerCall(pool: LocalPool, clientId: string, user: UserRecord): TriggerCall {
  return {
    invoke: pool.invokeTrigger,
    region: pool.region,
    userPoolId: pool.userPoolId,
    clientId,
    user,
  };
}

export interface AuthenticationResult {
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
  IdToken: string;
  RefreshToken?: string;
}

/** What a hosted sign-in (the authorize endpoint) asked for: its scopes and the id token's nonce. */
export interface HostedGrant {
  scopes: readonly string[];
  nonce?: string | undefined;
}

async function tokensFor(
  pool: LocalPool,
  session: SessionRecord,
  user: UserRecord,
  source: TokenGenerationSource,
  clientMetadata: Record<string, string> | undefined,
  nonce?: string,
): Promise<AuthenticationResult> {
  const scopes = session.scopes ?? [userAdminScope];
  const call = triggerCall(pool, session.clientId, user);
  const overrides = await runPreTokenGeneration(call, source, scopes, clientMetadata);
  const issued = issueTokens(pool.key, {
    issuer: pool.issuer,
    clientId: session.clientId,
    user,
    originJti: session.originJti,
    authTime: session.authTime,
    nowSeconds: Math.floor(pool.now() / 1000),
    scopes,
    overrides,
    nonce,
  });
  if (issued.ignoredClaims.length > 0) {
    pool.log.warn(
      `local identity: the preTokenGeneration trigger tried to change ${issued.ignoredClaims.join(', ')}, which Cognito does not allow; ignored`,
    );
  }
  return { AccessToken: issued.accessToken, ExpiresIn: 3600, TokenType: 'Bearer', IdToken: issued.idToken };
}

/** A completed sign-in: a new session with its refresh token, and the first tokens. */
export async function startSession(
  pool: LocalPool,
  user: UserRecord,
  clientId: string,
  source: TokenGenerationSource,
  clientMetadata?: Record<string, string>,
  grant?: HostedGrant,
): Promise<AuthenticationResult> {
  const refreshToken = newRefreshToken();
  const now = pool.now();
  const session: SessionRecord = {
    originJti: randomUUID(),
    username: user.username,
    clientId,
    refreshTokenHash: hashRefreshToken(refreshToken),
    authTime: Math.floor(now / 1000),
    expiresAt: now + refreshTokenMs,
    revoked: false,
    ...(grant ? { scopes: [...grant.scopes] } : {}),
  };
  const result = await tokensFor(pool, session, user, source, clientMetadata, grant?.nonce);
  pool.state.sessions[session.originJti] = session;
  pool.save();
  pool.log.info(`local identity: ${user.attributes.email ?? user.username} signed in`);
  return { ...result, RefreshToken: refreshToken };
}

/** The answer of a sign-in step that ends in tokens. */
export interface SignedIn {
  ChallengeParameters: Record<string, never>;
  AuthenticationResult: AuthenticationResult;
}

/** The end of every sign-in: post authentication, then a new session and its tokens. */
export async function signedIn(
  pool: LocalPool,
  user: UserRecord,
  clientId: string,
  source: TokenGenerationSource,
  clientMetadata: Record<string, string> | undefined,
  grant?: HostedGrant,
): Promise<SignedIn> {
  await runPostAuthentication(triggerCall(pool, clientId, user), clientMetadata);
  return {
    ChallengeParameters: {},
    AuthenticationResult: await startSession(pool, user, clientId, source, clientMetadata, grant),
  };
}

/** REFRESH_TOKEN_AUTH: new access and id tokens of the same session, without a new refresh token. */
export async function refreshSession(
  pool: LocalPool,
  refreshToken: string,
  clientId: string,
  clientMetadata?: Record<string, string>,
): Promise<AuthenticationResult> {
  const hash = hashRefreshToken(refreshToken);
  const session = Object.values(pool.state.sessions).find((s) => s.refreshTokenHash === hash);
  if (!session || session.clientId !== clientId) {
    throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  }
  const user = pool.state.users[session.username];
  if (!user) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  if (!user.enabled) throw userIsDisabled();
  if (session.revoked) throw new CognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
  if (session.expiresAt <= pool.now()) {
    throw new CognitoError('NotAuthorizedException', 'Refresh Token has expired');
  }
  return tokensFor(pool, session, user, 'TokenGeneration_RefreshTokens', clientMetadata);
}

/** Revokes the sessions of a user (or those matching `which`): their refresh and access tokens. */
export function revokeSessions(
  pool: LocalPool,
  username: string,
  which: (session: SessionRecord) => boolean = () => true,
): void {
  for (const session of Object.values(pool.state.sessions)) {
    if (session.username === username && which(session)) session.revoked = true;
  }
}

export function deleteSessions(pool: LocalPool, username: string): void {
  for (const [originJti, session] of Object.entries(pool.state.sessions)) {
    if (session.username === username) delete pool.state.sessions[originJti];
  }
}

/**
 * The user an access token of this pool belongs to, if it is unexpired, carries `scope` and its
 * session is not revoked: Cognito honours its own revocations before a token expires.
 */
export function userOfAccessTokenIn(pool: LocalPool, token: string, scope: string): UserRecord {
  const claims = readSignedJwt(pool.key, token);
  if (!claims || claims.iss !== pool.issuer || claims.token_use !== 'access') {
    throw new CognitoError('NotAuthorizedException', 'Invalid Access Token');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= pool.now()) {
    throw new CognitoError('NotAuthorizedException', 'Access Token has expired');
  }
  if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(scope)) {
    throw new CognitoError('NotAuthorizedException', 'Access Token does not have required scopes');
  }
  const user = typeof claims.username === 'string' ? pool.state.users[claims.username] : undefined;
  if (!user) throw userDoesNotExist();
  const session = typeof claims.origin_jti === 'string' ? pool.state.sessions[claims.origin_jti] : undefined;
  if (!session || session.revoked) {
    throw new CognitoError('NotAuthorizedException', 'Access Token has been revoked');
  }
  if (!user.enabled) throw userIsDisabled();
  return user;
}

/**
 * Revokes the session of a refresh token issued to `clientId` (RevokeToken, `/oauth2/revoke`). As
 * RFC 7009 asks, a token that is unknown or already expired is not an error; one issued to another
 * client is refused.
 */
export function revokeRefreshToken(
  pool: LocalPool,
  token: string,
  clientId: string,
): 'revoked' | 'other_client' {
  const hash = hashRefreshToken(token);
  const session = Object.values(pool.state.sessions).find((s) => s.refreshTokenHash === hash);
  if (!session) return 'revoked';
  if (session.clientId !== clientId) return 'other_client';
  session.revoked = true;
  pool.save();
  return 'revoked';
}
