// SSO sign-in routes: the app's start (a redirect to the IdP), the SAML ACS the IdP posts to and the
// OIDC redirect URI the provider sends the browser back to, the code exchange, and a connection's test
// sign-ins and failure log for its admin. The start, the IdP's answers and the exchange are public:
// they carry their own proof (the PKCE pair, the IdP's signature or code, the one-time code).
import { actorOf, tenantIdOf } from '../../../libs/auth/caller.ts';
import { ifConditionHolds } from '../../../libs/data/outbox.ts';
import { sessionLifetimeSeconds } from '../../../libs/data/primary-keys.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { Problem, problems } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute, type RouteResponse } from '../../../libs/http/route.ts';
import type { SsoEntities, SignInItem } from '../entities.ts';
import { routes } from '../manifest.ts';
import { apiBase, failureResource } from '../present.ts';
import { hashCode, type AcsOutcome, type SignIn } from '../sign-in.ts';
import type { SignInPool } from '../sign-in-pool.ts';
import type { SignInStore } from '../sign-in-store.ts';
import type { SsoStore } from '../store.ts';

export interface SignInRouteDeps {
  store: Pick<SsoStore, 'requireConnection'>;
  signIns: SignInStore;
  signIn: SignIn;
  pool: SignInPool;
  entities: Pick<SsoEntities, 'session'>;
  cursors: Parameters<typeof pageBody>[0];
  clock: () => Date;
}

const invalidGrant = () =>
  new Problem(
    400,
    'invalid_grant',
    'The code is unknown, used or expired, or the verifier does not match its challenge; sign in again.',
  );

/** The claims of a token the user pool has just issued to this function (no signature check needed). */
function claimsOf(token: string): { origin_jti?: string; auth_time?: number } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    origin_jti?: string;
    auth_time?: number;
  };
}

function testResource(item: SignInItem) {
  const result = item.result ? (JSON.parse(item.result) as Record<string, unknown>) : {};
  return { testId: item.signInId, status: item.status, ...result };
}

export function signInRoutes(deps: SignInRouteDeps): BoundRoute[] {
  const { store, signIns, signIn } = deps;

  /** An IdP's answer settled: the browser sent on to the app, or a test's result shown. */
  async function answer(outcome: AcsOutcome): Promise<RouteResponse> {
    if (outcome.kind === 'redirect') {
      return { status: 302, headers: { location: outcome.location, 'cache-control': 'no-store' } };
    }
    const item = await signIns.getSignIn(outcome.testId);
    if (!item) throw problems.notFound('The test');
    return { status: 200, body: testResource(item), headers: { 'cache-control': 'no-store' } };
  }

  return [
    implement(routes.authorizeSso, async (request): Promise<RouteResponse> => {
      const { query } = request;
      const location = await signIn.authorize(
        {
          email: query.email,
          connection: query.connection,
          redirectUri: query.redirect_uri,
          codeChallenge: query.code_challenge,
          state: query.state,
        },
        apiBase(request),
      );
      if (request.headers.accept?.includes('application/json')) {
        return { status: 200, body: { redirectUrl: location }, headers: { 'cache-control': 'no-store' } };
      }
      return { status: 302, headers: { location, 'cache-control': 'no-store' } };
    }),

    implement(routes.samlAcs, async (request) =>
      answer(await signIn.consume(request.params.connectionId, request.body, apiBase(request))),
    ),

    implement(routes.oidcCallback, async (request) =>
      answer(await signIn.callback(request.params.connectionId, request.query, apiBase(request))),
    ),

    implement(routes.redeemSsoCode, async (request) => {
      const { code, code_verifier: verifier } = request.body;
      const proof = await signIns.getProof(hashCode(code));
      const now = deps.clock();
      if (!proof || proof.expiresAt <= now.getTime() / 1000) throw invalidGrant();
      const tokens = await deps.pool.redeem(proof.username, code, verifier);
      if (!tokens) throw invalidGrant();
      // The session is opened here, not at its first call, so it carries how the person signed in:
      // the connection, and whether the IdP proved a second factor (the tenant's MFA policy reads it).
      const claims = claimsOf(tokens.accessToken);
      if (claims.origin_jti) {
        const startedAt = new Date((claims.auth_time ?? Math.floor(now.getTime() / 1000)) * 1000);
        await ifConditionHolds(
          deps.entities.session
            .create({
              tenantId: proof.tenantId,
              userId: proof.userId,
              sessionId: claims.origin_jti,
              userAgent: request.headers['user-agent'] ?? 'unknown',
              ip: request.headers['x-forwarded-for']?.split(',')[0]?.trim() ?? 'unknown',
              startedAt: startedAt.toISOString(),
              lastSeenAt: now.toISOString(),
              status: 'active',
              connectionId: proof.connectionId,
              ssoMfa: proof.mfa,
              expiresAt: Math.floor(startedAt.getTime() / 1000) + sessionLifetimeSeconds,
            })
            .go(),
        );
      }
      return {
        status: 200,
        headers: { 'cache-control': 'no-store' },
        body: {
          access_token: tokens.accessToken,
          id_token: tokens.idToken,
          refresh_token: tokens.refreshToken,
          token_type: 'Bearer' as const,
          expires_in: tokens.expiresIn,
        },
      };
    }),

    implement(routes.startSsoTest, async (request) => {
      const { params, caller } = request;
      const connection = await store.requireConnection(tenantIdOf(caller), params.connectionId);
      const { signInId, url } = await signIn.startTest(connection, apiBase(request), actorOf(caller).id);
      return { status: 201, body: { testId: signInId, signInUrl: url } };
    }),

    implement(routes.getSsoTest, async ({ params, caller }) => {
      const tenantId = tenantIdOf(caller);
      await store.requireConnection(tenantId, params.connectionId);
      const item = await signIns.getSignIn(params.testId);
      if (
        !item ||
        item.mode !== 'test' ||
        item.tenantId !== tenantId ||
        item.connectionId !== params.connectionId
      ) {
        throw problems.notFound('The test');
      }
      return { status: 200, body: testResource(item) };
    }),

    implement(routes.listSsoFailures, async ({ params, query, caller }) => {
      const tenantId = tenantIdOf(caller);
      await store.requireConnection(tenantId, params.connectionId);
      const scope = `tenant:${tenantId}:sso-failures:${params.connectionId}`;
      const page = await signIns.listFailures(tenantId, params.connectionId, {
        limit: query.limit,
        position: positionOf(deps.cursors, caller, scope, query.cursor),
      });
      return { status: 200, body: pageBody(deps.cursors, caller, scope, page, failureResource) };
    }),
  ];
}
