// The SSO context's API over DynamoDB Local, wired as its handler wires it, for sign-in tests of
// either protocol: a user pool stand-in whose code redemption is the identity context's own verify
// trigger, tenants with a verified domain, and a request helper that reads the answer.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { VerifyAuthChallengeResponseTriggerEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import { createCustomAuthTriggers } from '../../functions/identity/custom-auth.ts';
import { createIdentityStoreEntities } from '../../functions/identity/store-entities.ts';
import { createIdentityStore } from '../../functions/identity/store.ts';
import { createTxtLookup } from '../../functions/sso/domains.ts';
import { createSsoEntities, type SsoEntities } from '../../functions/sso/entities.ts';
import type { OidcTransport } from '../../functions/sso/oidc.ts';
import { connectionRoutes } from '../../functions/sso/routes/connections.ts';
import { platformRoutes } from '../../functions/sso/routes/platform.ts';
import { signInRoutes } from '../../functions/sso/routes/sign-in.ts';
import { createSignIn } from '../../functions/sso/sign-in.ts';
import type { SignInPool } from '../../functions/sso/sign-in-pool.ts';
import { createSignInStore } from '../../functions/sso/sign-in-store.ts';
import { createSsoStore } from '../../functions/sso/store.ts';
import { tenantPermissions } from '../../libs/auth/permissions.ts';
import { emailInUse, type NewPoolUser, type UserPool } from '../../libs/auth/pool-users.ts';
import { loadRuntimeConfig } from '../../libs/config/runtime.ts';
import { createSecretBox, type SecretBox } from '../../libs/crypto/secret-box.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../libs/http/cursor.ts';
import { createGuardedFetch } from '../../libs/net/guarded-fetch.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../unit/http/api-events.ts';
import { verifiedDomainItem } from './domains.ts';
import { functionEnv } from './function-env.ts';
import { tenantItem } from './items.ts';
import { createTestTables } from './tables.ts';

export const ssoHost = '127.0.0.1:4000';
export const consoleOrigin = 'http://localhost:5173';
/** The key OIDC client secrets are sealed with in these tests. */
export const ssoSecretKey = 'integration-sso-secret-key-0123456789abcdef';

/** What the connection routes need for OIDC: the sealing box, and providers reached on loopback. */
export function oidcRouteDeps(): { secretBox: SecretBox; oidcTransport: OidcTransport } {
  return {
    secretBox: createSecretBox(ssoSecretKey),
    oidcTransport: { fetch: createGuardedFetch({ local: true }), allowHttp: true },
  };
}

export type Json = Record<string, unknown>;
export interface Reply {
  status: number;
  body: Json;
  location: string | undefined;
}

/** The pool's custom sign-in, reduced to what decides it: the identity context's verify trigger. */
function poolStandIn(
  verify: (e: VerifyAuthChallengeResponseTriggerEvent) => Promise<unknown>,
  redeemed: Array<{ username: string; verifier: string | undefined }>,
): SignInPool {
  return {
    async redeem(username, code, verifier) {
      redeemed.push({ username, verifier });
      const event = {
        userName: username,
        request: {
          userAttributes: { sub: username },
          privateChallengeParameters: {},
          challengeAnswer: code,
          ...(verifier !== undefined ? { clientMetadata: { code_verifier: verifier } } : {}),
        },
        response: { answerCorrect: false },
      } as unknown as VerifyAuthChallengeResponseTriggerEvent;
      await verify(event);
      if (!event.response.answerCorrect) return undefined;
      const claims = Buffer.from(JSON.stringify({ origin_jti: randomUUID(), auth_time: 1 })).toString(
        'base64url',
      );
      return { accessToken: `h.${claims}.s`, idToken: 'id', refreshToken: 'r', expiresIn: 3600 };
    },
    setName: () => Promise.resolve(),
  };
}

function fakePoolUsers(users: Map<string, NewPoolUser & { userId: string }>): UserPool {
  return {
    createUser(user) {
      if ([...users.values()].some((u) => u.email === user.email)) return Promise.reject(emailInUse());
      const userId = randomUUID();
      users.set(userId, { ...user, userId });
      return Promise.resolve({ userId, username: userId });
    },
    deleteUser(username) {
      users.delete(username);
      return Promise.resolve();
    },
    setEmail: () => Promise.resolve(),
  };
}

export interface SsoApi {
  entities: SsoEntities;
  send(init: Parameters<typeof apiEvent>[0]): Promise<Reply>;
  /** Pool users created by sign-ins, by id. */
  poolUsers: Map<string, NewPoolUser & { userId: string }>;
  /** Every redemption the pool was asked for. */
  redeemed: Array<{ username: string; verifier: string | undefined }>;
  /** A tenant with a verified domain (and, if asked, an MFA policy), and its admin's requests. */
  verifiedTenant(options?: { mfaRequired?: boolean }): Promise<{
    tenantId: string;
    domain: string;
    admin: (method: string, path: string, body?: unknown) => Promise<Reply>;
  }>;
}

/** The SSO API as the handler wires it; OIDC providers are reached on loopback, as on one machine. */
export async function createSsoApi(): Promise<SsoApi> {
  const tables = await createTestTables();
  const entities = createSsoEntities(tables);
  const logger = new Logger({ logLevel: 'SILENT' });
  const store = createSsoStore(entities);
  const signIns = createSignInStore(entities);
  const runtime = loadRuntimeConfig(functionEnv({ TABLE_NAME: tables.tableName }));
  const cursors = createCursorCodec('integration-cursor-secret-0123456789abcdef');
  const identity = createIdentityStore(createIdentityStoreEntities(tables));
  const triggers = createCustomAuthTriggers({ proofs: identity, logger, clock: () => new Date() });
  const { secretBox, oidcTransport } = oidcRouteDeps();
  const poolUsers = new Map<string, NewPoolUser & { userId: string }>();
  const redeemed: Array<{ username: string; verifier: string | undefined }> = [];
  const signIn = createSignIn({
    store,
    signIns,
    entities,
    oidc: { secretBox, transport: oidcTransport },
    poolUsers: fakePoolUsers(poolUsers),
    setPoolName: () => Promise.resolve(),
    deployment: runtime.deployment,
    redirectOrigins: [consoleOrigin],
    defaultRedirect: `${consoleOrigin}/`,
    logger,
    clock: () => new Date(),
  });
  const ssoDeps = {
    store,
    lookupTxt: createTxtLookup(),
    runtime,
    cursors,
    maxDomainsPerTenant: 5,
    maxConnectionsPerTenant: 3,
    secretBox,
    oidcTransport,
  };
  const api = createApiHandler({
    serviceName: 'sso',
    logger,
    routes: [
      ...connectionRoutes(ssoDeps),
      ...platformRoutes(ssoDeps, signIns),
      ...signInRoutes({
        store,
        signIns,
        signIn,
        pool: poolStandIn(triggers.verifyAuthChallengeResponse, redeemed),
        entities,
        cursors,
        clock: () => new Date(),
      }),
    ],
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });

  async function send(init: Parameters<typeof apiEvent>[0]): Promise<Reply> {
    const res = await api(
      apiEvent({ ...init, headers: { host: ssoHost, ...init.headers } }),
      lambdaContext(),
    );
    return {
      status: res.statusCode,
      body: res.body ? json(res.body) : {},
      location: res.headers?.location as string | undefined,
    };
  }

  async function verifiedTenant(options: { mfaRequired?: boolean } = {}) {
    const tenantId = `ten_${ulid()}`;
    const domain = `${tenantId.slice(-8).toLowerCase()}.acme.test`;
    await entities.tenant.create(tenantItem({ tenantId, slug: tenantId.toLowerCase() })).go();
    await entities.domain.create(verifiedDomainItem(tenantId, domain)).go();
    await entities.domainClaim
      .create({ domain, tenantId, homeRegion: 'us-east-1', verifiedAt: '2026-01-01T00:00:00.000Z' })
      .go();
    if (options.mfaRequired) {
      await entities.identitySettings
        .create({ tenantId, mfaPolicy: 'required', mfaGraceDays: 0, updatedAt: '2026-01-01T00:00:00.000Z' })
        .go();
    }
    const caller = tenantCaller([...tenantPermissions], tenantId);
    const admin = (method: string, path: string, body?: unknown) => send({ method, path, caller, body });
    return { tenantId, domain, admin };
  }

  return { entities, send, poolUsers, redeemed, verifiedTenant };
}

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
