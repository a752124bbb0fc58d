// Verifies Cognito access tokens with aws-jwt-verify. The verifier and its JWKS cache live at module
// scope, so keys are fetched once per container. On one machine the JWKS comes from the local
// identity issuer, whose tokens carry the AWS-form issuer, so the verification path is the same.
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { UserPoolConfig } from './config.ts';

/** The claims of a verified access token that Plinth reads. */
export interface AccessTokenClaims {
  sub: string;
  tenantId: string | undefined;
  /** Shared by every token of one sign-in, refreshed ones included: Plinth's session id. */
  originJti: string | undefined;
  /** Epoch seconds of the sign-in. */
  authTime: number;
  /** Epoch ms of the sign-in (`signed_in_at`), in tokens issued at sign-in; refreshed ones lack it. */
  signedInAtMs?: number;
  /** Whether the sign-in passed an MFA challenge (the Pre Token Generation trigger's `mfa` claim). */
  mfa: boolean;
}

export interface TokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
}

export function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);
}

export function createTokenVerifier(
  config: UserPoolConfig,
  fetchJwks: (url: string) => Promise<Jwks> = defaultFetchJwks,
): TokenVerifier {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: config.userPoolId,
    tokenUse: 'access',
    clientId: config.clientIds,
  });
  let localKeys: Promise<Jwks> | undefined;

  async function loadLocalKeys(url: string): Promise<Jwks> {
    localKeys ??= fetchJwks(url).then((jwks) => {
      verifier.cacheJwks(jwks);
      return jwks;
    });
    return localKeys.catch((error: unknown) => {
      localKeys = undefined;
      throw error;
    });
  }

  // The verifier fetches a kid it has not cached from Cognito; locally only the issuer's JWKS counts.
  async function verifyLocal(token: string, url: string) {
    const { kid } = decomposeUnverifiedJwt(token).header;
    const signedBy = (jwks: Jwks) => jwks.keys.some((key) => key.kid === kid);
    if (!signedBy(await loadLocalKeys(url))) {
      // A local issuer started on a new data dir signs with a new key: load its JWKS again, once.
      localKeys = undefined;
      if (!signedBy(await loadLocalKeys(url))) {
        throw new KidNotFoundInJwksError(`JWK for kid "${String(kid)}" not in the local JWKS`);
      }
    }
    return verifier.verify(token);
  }

  return {
    async verify(token) {
      const payload = config.jwksUrl
        ? await verifyLocal(token, config.jwksUrl)
        : await verifier.verify(token);
      return {
        sub: payload.sub,
        tenantId: typeof payload.tenant_id === 'string' ? payload.tenant_id : undefined,
        originJti: typeof payload.origin_jti === 'string' ? payload.origin_jti : undefined,
        authTime: payload.auth_time,
        ...(typeof payload.signed_in_at === 'string' ? { signedInAtMs: Number(payload.signed_in_at) } : {}),
        mfa: payload.mfa === 'true' || payload.mfa === true,
      };
    },
  };
}

async function defaultFetchJwks(url: string): Promise<Jwks> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the JWKS from ${url}: HTTP ${response.status}`);
  return (await response.json()) as Jwks;
}
