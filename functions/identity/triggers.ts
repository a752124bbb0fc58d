// The user pool's Lambda triggers. The table, not the pool, says who may sign in and what they hold:
// preAuthentication refuses unknown and deactivated users (the local stand-in would not), token
// generation refuses them again on refresh, refuses refreshing a session Plinth revoked, and puts
// tenant, roles, MFA and the sign-in time into the tokens, and postAuthentication records the sign-in.
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  PostAuthenticationTriggerEvent,
  PreAuthenticationTriggerEvent,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import { createHash } from 'node:crypto';
import { ssoRequiredFor, ssoRequiredMessage } from '../../libs/auth/sso-policy.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import type { IdentityStore } from './store.ts';

export type PreTokenGenerationEvent = PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent;

export interface TriggerDeps {
  store: Pick<
    IdentityStore,
    'getUser' | 'getSession' | 'recordSignIn' | 'getSettings' | 'isVerifiedDomain' | 'getProof'
  >;
  logger: Logger;
  clock: () => Date;
}

/**
 * Cognito answers the client `NotAuthorizedException` with this message inside; it says nothing about
 * why, so it cannot tell anyone whether an address belongs to a deactivated user.
 */
export const signInRefusedMessage = 'Sign-in is not allowed.';

/** The refusal of a refresh that names a revoked session; Cognito wraps it in UserLambdaValidationException. */
export const sessionRevokedMessage = 'The session has been revoked; sign in again.';

export const tenantAttribute = 'custom:tenant_id';

/**
 * The ClientMetadata key a client refreshing its tokens names its session with (the tokens' origin_jti),
 * through GetTokensFromRefreshToken: REFRESH_TOKEN_AUTH's metadata never reaches this trigger. Cognito
 * tells it neither the refresh token nor its origin_jti, so without it a refresh cannot be told apart
 * from the user's other sessions.
 */
const sessionMetadataKey = 'session_id';

/**
 * The ClientMetadata key an SSO code's redemption starts its custom sign-in with (functions/sso/
 * sign-in-pool.ts): a user who must use SSO passes the pre authentication trigger only with a code
 * whose proof is waiting for them; the verify trigger then consumes it.
 */
export const ssoCodeMetadataKey = 'sso_code';

/** The claims Plinth adds to access and id tokens. */
export function tokenClaims(user: UserItem): Record<string, string> {
  return { tenant_id: user.tenantId, roles: user.roles.join(' '), mfa: String(user.mfaEnrolled) };
}

/**
 * The sign-in's time in milliseconds (`signed_in_at`): auth_time has whole seconds, too coarse to tell
 * a sign-in from a "sign out everywhere" in the same second.
 */
function signInClaims(now: Date): Record<string, string> {
  return { signed_in_at: String(now.getTime()) };
}

function isV2(event: PreTokenGenerationEvent): event is PreTokenGenerationV2TriggerEvent {
  return event.version === '2' || 'claimsAndScopeOverrideDetails' in event.response;
}

export function createTriggers({ store, logger, clock }: TriggerDeps) {
  /** The user the pool is signing in, if they are an active user of the tenant the pool says. */
  async function activeUser(attributes: Record<string, string> | undefined, source: string) {
    const tenantId = attributes?.[tenantAttribute];
    const userId = attributes?.sub;
    if (!tenantId || !userId) {
      logger.warn('sign-in refused: the pool user has no tenant', { triggerSource: source });
      throw new Error(signInRefusedMessage);
    }
    logger.appendKeys({ tenantId });
    const user = await store.getUser(tenantId, userId);
    if (user?.status !== 'active') {
      logger.warn('sign-in refused', {
        userId,
        reason: user ? 'deactivated' : 'unknown_user',
        triggerSource: source,
      });
      throw new Error(signInRefusedMessage);
    }
    return user;
  }

  async function refuseRevokedSession(user: UserItem, clientMetadata: Record<string, string> | undefined) {
    const sessionId = clientMetadata?.[sessionMetadataKey];
    if (!sessionId) return;
    const session = await store.getSession(user.tenantId, user.userId, sessionId);
    if (session?.status !== 'revoked') return;
    logger.warn('refresh refused: the session is revoked', { userId: user.userId, sessionId });
    throw new Error(sessionRevokedMessage);
  }

  async function preTokenGeneration<E extends PreTokenGenerationEvent>(event: E): Promise<E> {
    const user = await activeUser(event.request.userAttributes, event.triggerSource);
    const refreshing = event.triggerSource === 'TokenGeneration_RefreshTokens';
    if (refreshing) await refuseRevokedSession(user, event.request.clientMetadata);
    // Refreshed tokens keep the sign-in's auth_time but cannot know its millisecond, so they go without.
    const claims = refreshing ? tokenClaims(user) : { ...tokenClaims(user), ...signInClaims(clock()) };
    if (isV2(event)) {
      event.response.claimsAndScopeOverrideDetails = {
        idTokenGeneration: { claimsToAddOrOverride: claims },
        accessTokenGeneration: { claimsToAddOrOverride: claims },
      };
    } else {
      // Version 1 shapes only the id token; access tokens then lack these claims and the API refuses them.
      event.response.claimsOverrideDetails = { claimsToAddOrOverride: claims };
    }
    return event;
  }

  async function preAuthentication(
    event: PreAuthenticationTriggerEvent,
  ): Promise<PreAuthenticationTriggerEvent> {
    // With user existence errors hidden, Cognito runs this for unknown users too and fails them itself.
    if (event.request.userNotFound === true) return event;
    const user = await activeUser(event.request.userAttributes, event.triggerSource);
    const settings = await store.getSettings(user.tenantId);
    if (await ssoRequiredFor(settings, user, store.isVerifiedDomain)) {
      const code = event.request.validationData?.[ssoCodeMetadataKey];
      const proof = code
        ? await store.getProof(createHash('sha256').update(code).digest('base64url'))
        : undefined;
      if (proof?.userId !== user.userId) {
        logger.warn('sign-in refused: the tenant requires SSO', { userId: user.userId });
        throw new Error(ssoRequiredMessage);
      }
    }
    return event;
  }

  async function postAuthentication(
    event: PostAuthenticationTriggerEvent,
  ): Promise<PostAuthenticationTriggerEvent> {
    const attributes = event.request.userAttributes;
    const tenantId = attributes[tenantAttribute];
    const userId = attributes.sub;
    if (!tenantId || !userId) return event;
    logger.appendKeys({ tenantId });
    const recorded = await store.recordSignIn(tenantId, userId, event.callerContext.clientId);
    if (!recorded) logger.warn('sign-in not recorded: the user is not in the table', { userId });
    return event;
  }

  return { preTokenGeneration, preAuthentication, postAuthentication };
}
