// The OIDC side of a sign-in: the authorization URL a new sign-in sends the browser to (the sign-in's
// id as `state`, with a nonce and PKCE verifier it remembers), and the callback's code exchanged and
// its ID token's claims read through the connection's mapping.
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { ConnectionItem, SignInItem } from './entities.ts';
import { mappedRoles, SignInRefusal, type MappedProfile } from './mapped-profile.ts';
import {
  completeOidcSignIn,
  OidcRefusal,
  oidcMfaEvidence,
  oidcSignInUrl,
  type OidcClaims,
  type OidcClientSettings,
  type OidcTransport,
} from './oidc.ts';
import { oidcOf, oidcRedirectUri } from './present.ts';

export interface OidcSignInDeps {
  secretBox: SecretBox;
  transport: OidcTransport;
}

/** What the provider sent the browser back with. */
export interface OidcCallback {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
  iss?: string | undefined;
}

/** A claim's values as strings: a string, or a list of strings (groups), or a boolean or number. */
function valuesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function mapOidcClaims(connection: ConnectionItem, claims: OidcClaims): MappedProfile {
  const mapping = connection.attributeMapping;
  const attributes: Record<string, string[]> = {};
  for (const [claim, value] of Object.entries(claims)) {
    const values = valuesOf(value);
    if (values.length > 0) attributes[claim] = values;
  }
  const email = attributes[mapping.email]?.[0]?.trim().toLowerCase();
  // An address the provider says it has not verified proves nothing about who holds it.
  if (email && claims.email_verified === false) {
    throw new SignInRefusal('email_not_verified', `the provider says ${email} is not verified`, email);
  }
  const groups = attributes[mapping.groups] ?? [];
  return {
    nameId: claims.sub,
    email,
    name: attributes[mapping.name]?.[0]?.trim() || undefined,
    groups,
    roles: mappedRoles(connection, groups),
    mfa: oidcMfaEvidence(claims),
    attributes,
  };
}

export function createOidcSignIn(deps: OidcSignInDeps) {
  function clientSettings(connection: ConnectionItem): OidcClientSettings {
    const oidc = oidcOf(connection);
    return {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: deps.secretBox.open(oidc.clientSecretSealed),
      authorizationEndpoint: oidc.authorizationEndpoint,
      tokenEndpoint: oidc.tokenEndpoint,
      userinfoEndpoint: oidc.userinfoEndpoint,
      jwksUri: oidc.jwksUri,
      tokenAuthMethod: oidc.tokenAuthMethod,
    };
  }

  async function begin(connection: ConnectionItem, signInId: string, apiBase: string) {
    const { url, nonce, codeVerifier } = await oidcSignInUrl(clientSettings(connection), deps.transport, {
      redirectUri: oidcRedirectUri(connection.connectionId, apiBase),
      scopes: oidcOf(connection).scopes,
      state: signInId,
    });
    return { url, remember: { nonce, idpCodeVerifier: codeVerifier } };
  }

  async function verify(
    connection: ConnectionItem,
    signIn: SignInItem | undefined,
    callback: OidcCallback,
    apiBase: string,
  ): Promise<MappedProfile> {
    // An OIDC answer always answers a sign-in Plinth started: there is no IdP-initiated code flow. An
    // error the provider sends back (`error`, `error_description`) is openid-client's to read.
    if (!signIn?.nonce || !signIn.idpCodeVerifier) {
      throw new SignInRefusal('unknown_sign_in', 'the state names no sign-in of this connection');
    }
    const url = new URL(oidcRedirectUri(connection.connectionId, apiBase));
    for (const [name, value] of Object.entries(callback) as Array<[string, string | undefined]>) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    try {
      const claims = await completeOidcSignIn(clientSettings(connection), deps.transport, url, {
        state: signIn.signInId,
        nonce: signIn.nonce,
        codeVerifier: signIn.idpCodeVerifier,
      });
      return mapOidcClaims(connection, claims);
    } catch (error) {
      if (error instanceof OidcRefusal) throw new SignInRefusal(error.code, error.message);
      throw error;
    }
  }

  return { begin, verify };
}
