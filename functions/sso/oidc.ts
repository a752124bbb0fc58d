// OpenID Connect towards a tenant's provider, through openid-client (a maintained, certified relying
// party library): discovery when a connection is saved, the authorization URL with Plinth's own
// state, nonce and PKCE pair, and the code exchange whose ID token it validates (issuer, audience,
// signature by the provider's JWKS, nonce, expiry). Every request goes through the URL guard.
// Plinth reads the ID token's claims, and the userinfo endpoint's where the token has no email.
import * as client from 'openid-client';
import type { GuardedFetch } from '../../libs/net/guarded-fetch.ts';

/** What discovery told Plinth about a provider, kept on the connection. */
export interface DiscoveredProvider {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | undefined;
  jwksUri: string;
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

export interface OidcClientSettings extends DiscoveredProvider {
  clientId: string;
  clientSecret: string;
}

/** How Plinth reaches providers: the guarded fetch, and whether plain http is allowed (one machine). */
export interface OidcTransport {
  fetch: GuardedFetch;
  allowHttp: boolean;
}

/** Discovery did not give a usable provider; `code` says which field of the request to blame. */
export class DiscoveryError extends Error {
  constructor(
    readonly code: 'issuer_mismatch' | 'discovery_failed',
    message: string,
  ) {
    super(message);
  }
}

export type OidcRefusalCode =
  | 'idp_error'
  | 'token_exchange_failed'
  | 'invalid_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'nonce_mismatch'
  | 'expired'
  | 'invalid_token';

export class OidcRefusal extends Error {
  constructor(
    readonly code: OidcRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the provider said about the person: the validated ID token's claims, with userinfo's added. */
export interface OidcClaims {
  sub: string;
  [claim: string]: unknown;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** openid-client wraps oauth4webapi's errors: the codes and the claim at fault are along the causes. */
interface ErrorLink {
  code?: unknown;
  claim?: unknown;
  attribute?: unknown;
  message?: unknown;
  cause?: unknown;
}

function errorChain(error: unknown): ErrorLink[] {
  const chain: ErrorLink[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const link: ErrorLink = current;
    chain.push(link);
    current = link.cause;
  }
  return chain;
}

/** openid-client's fetch hook over the guarded fetch; its bodies are forms or JSON, never streams. */
function customFetchOf(transport: OidcTransport): client.CustomFetch {
  return (url, options) => {
    const { body } = options;
    if (body instanceof ReadableStream) return Promise.reject(new TypeError('streamed bodies are not sent'));
    return transport.fetch(url, {
      method: options.method,
      headers: options.headers,
      body: body instanceof ArrayBuffer ? new Uint8Array(body) : (body ?? undefined),
      signal: options.signal,
    });
  };
}

function transportOptions(transport: OidcTransport) {
  return {
    [client.customFetch]: customFetchOf(transport),
    ...(transport.allowHttp ? { execute: [client.allowInsecureRequests] } : {}),
  };
}

/**
 * Fetches the issuer's discovery document; its `issuer` must be the one configured, to the letter,
 * or every ID token would be checked against a different issuer than the admin entered.
 */
export async function discoverProvider(
  issuer: string,
  clientId: string,
  transport: OidcTransport,
): Promise<DiscoveredProvider> {
  let config: client.Configuration;
  try {
    config = await client.discovery(new URL(issuer), clientId, undefined, undefined, {
      ...transportOptions(transport),
      algorithm: 'oidc',
    });
  } catch (error) {
    if (errorChain(error).some((e) => e.attribute === 'issuer')) {
      throw new DiscoveryError(
        'issuer_mismatch',
        `the discovery document of ${issuer} names another issuer; enter the issuer exactly as the provider names it`,
      );
    }
    throw new DiscoveryError(
      'discovery_failed',
      `could not read ${new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`).href}: ${messageOf(error)}`,
    );
  }
  const metadata = config.serverMetadata();
  if (metadata.issuer !== issuer && metadata.issuer !== new URL(issuer).href) {
    throw new DiscoveryError(
      'issuer_mismatch',
      `the discovery document of ${issuer} names ${metadata.issuer}`,
    );
  }
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const tokenAuthMethod = methods.includes('client_secret_basic')
    ? 'client_secret_basic'
    : methods.includes('client_secret_post')
      ? 'client_secret_post'
      : undefined;
  const { authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint } = metadata;
  if (!authorization_endpoint || !token_endpoint || !jwks_uri || !tokenAuthMethod) {
    throw new DiscoveryError(
      'discovery_failed',
      `${issuer} does not offer what Plinth needs: an authorization endpoint, a token endpoint accepting a client secret, and a JWKS`,
    );
  }
  return {
    issuer: metadata.issuer,
    authorizationEndpoint: authorization_endpoint,
    tokenEndpoint: token_endpoint,
    userinfoEndpoint: userinfo_endpoint,
    jwksUri: jwks_uri,
    tokenAuthMethod,
  };
}

function configurationOf(settings: OidcClientSettings, transport: OidcTransport): client.Configuration {
  const config = new client.Configuration(
    {
      issuer: settings.issuer,
      authorization_endpoint: settings.authorizationEndpoint,
      token_endpoint: settings.tokenEndpoint,
      jwks_uri: settings.jwksUri,
      ...(settings.userinfoEndpoint ? { userinfo_endpoint: settings.userinfoEndpoint } : {}),
    },
    settings.clientId,
    undefined,
    settings.tokenAuthMethod === 'client_secret_post'
      ? client.ClientSecretPost(settings.clientSecret)
      : client.ClientSecretBasic(settings.clientSecret),
  );
  config[client.customFetch] = customFetchOf(transport);
  // openid-client, as OIDC Core allows, trusts an ID token straight from the token endpoint over TLS
  // without its signature; Plinth checks it against the provider's JWKS all the same.
  client.enableNonRepudiationChecks(config);
  if (transport.allowHttp) client.allowInsecureRequests(config);
  return config;
}

/** The provider's authorization URL for one sign-in, and the secrets its answer must match. */
export async function oidcSignInUrl(
  settings: OidcClientSettings,
  transport: OidcTransport,
  request: { redirectUri: string; scopes: readonly string[]; state: string },
): Promise<{ url: string; nonce: string; codeVerifier: string }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(configurationOf(settings, transport), {
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scopes.join(' '),
    state: request.state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, nonce, codeVerifier };
}

function refusalOf(error: unknown): OidcRefusal {
  if (error instanceof OidcRefusal) return error;
  if (error instanceof client.AuthorizationResponseError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    return new OidcRefusal('idp_error', `the provider answered ${error.error}${description}`);
  }
  if (error instanceof client.ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    return new OidcRefusal(
      'token_exchange_failed',
      `the token endpoint refused the code with ${error.error}${description}`,
    );
  }
  const chain = errorChain(error);
  const message = chain
    .map((e) => e.message)
    .filter((m): m is string => typeof m === 'string')
    .join(': ');
  const claim = chain.find((e) => typeof e.claim === 'string')?.claim;
  const codes = new Set(chain.map((e) => e.code));
  if (codes.has('OAUTH_JWT_CLAIM_COMPARISON_FAILED')) {
    if (claim === 'nonce')
      return new OidcRefusal('nonce_mismatch', `the ID token's nonce is not this sign-in's`);
    if (claim === 'iss')
      return new OidcRefusal('wrong_issuer', `the ID token's issuer is not the connection's`);
    if (claim === 'aud' || claim === 'azp') {
      return new OidcRefusal('wrong_audience', `the ID token is not for this connection's client`);
    }
  }
  if (codes.has('OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) {
    return claim === 'exp'
      ? new OidcRefusal('expired', 'the ID token has expired')
      : new OidcRefusal('invalid_token', `the ID token's ${String(claim)} is not valid: ${message}`);
  }
  if (/signature/i.test(message) || codes.has('OAUTH_KEY_SELECTION_FAILED')) {
    return new OidcRefusal(
      'invalid_signature',
      `the ID token's signature does not verify with the provider's keys: ${message}`,
    );
  }
  return new OidcRefusal('token_exchange_failed', `the provider's answer could not be used: ${message}`);
}

/**
 * Exchanges the code the browser came back with (Plinth's PKCE verifier and the client secret), and
 * returns the validated ID token's claims, with userinfo's where the token has no email.
 */
export async function completeOidcSignIn(
  settings: OidcClientSettings,
  transport: OidcTransport,
  callbackUrl: URL,
  expected: { state: string; nonce: string; codeVerifier: string },
): Promise<OidcClaims> {
  try {
    const config = configurationOf(settings, transport);
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      pkceCodeVerifier: expected.codeVerifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new OidcRefusal('invalid_token', 'the token endpoint returned no ID token');
    if (claims.email !== undefined || !settings.userinfoEndpoint) return { ...claims };
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    return { ...userinfo, ...claims };
  } catch (error) {
    throw refusalOf(error);
  }
}

// RFC 8176 authentication method references that stand for a second factor: `mfa` and `mca` say so
// outright; `otp`, `hwk`, `swk`, `sms`, `tel` and `sc` are factors the person holds (a code
// generator, a security key or passkey, a phone, a smart card), which an IdP lists next to the first
// factor or as a key that itself checked the person (user verification). Knowledge and inherence
// alone (`pwd`, `pin`, `kba`, `fpt`, `face`...) and risk signals (`rba`, `geo`) are not a second factor.
const mfaMethods = new Set(['mfa', 'mca', 'otp', 'hwk', 'swk', 'sms', 'tel', 'sc']);
// `acr` values that name MFA: the PAPE multi-factor policies, and the phishing-resistant classes
// (`phr`, `phrh`) of the OpenID Foundation's EAP profile, or any value naming mfa / multi-factor.
const mfaAcr = /(^|[^a-z0-9])(mfa|2fa|phrh?)([^a-z0-9]|$)|multi-?factor/i;

/** Whether the provider said the person passed a second factor, by `amr` or `acr`. */
export function oidcMfaEvidence(claims: OidcClaims): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if (amr.some((method) => typeof method === 'string' && mfaMethods.has(method.toLowerCase()))) return true;
  return typeof claims.acr === 'string' && mfaAcr.test(claims.acr);
}
