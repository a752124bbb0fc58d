// What the local OpenID Connect provider knows, apart from its HTTP server: its test users and
// client, how a sign-in is checked (password, optional one-time code → `amr`), which redirect URIs
// it accepts, and the oidc-provider configuration built from them.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { Account, ClientMetadata, Configuration, JWK, KoaContextWithOIDC } from 'oidc-provider';

export interface OidcTestUser {
  /** The stable subject identifier, as an IdP's user id. */
  sub: string;
  email: string;
  name: string;
  groups: readonly string[];
  password: string;
}

/** The provider's test users; `npm start` prints them. The password follows the SAML IdP's convention. */
export const defaultOidcUsers: readonly OidcTestUser[] = [
  {
    sub: 'usr-ada',
    email: 'ada@acme.test',
    name: 'Ada Lovelace',
    groups: ['engineering', 'admins'],
    password: 'Oidc-Test-1',
  },
  {
    sub: 'usr-bob',
    email: 'bob@acme.test',
    name: 'Bob Babbage',
    groups: ['engineering'],
    password: 'Oidc-Test-1',
  },
];

/**
 * The one-time code the sign-in page accepts as a second factor: a sign-in that gives it has
 * `amr: ['pwd', 'otp']`, one that leaves it empty `['pwd']`; any other code is refused.
 */
export const testOneTimeCode = '123456';

export interface OidcTestClient {
  clientId: string;
  clientSecret: string;
  /**
   * The only redirect URIs accepted, matched exactly as Okta or Entra ID match them.
   * @default any redirect URI on a loopback host
   */
  redirectUris?: readonly string[];
}

/**
 * The client a tenant's OIDC connection names. It authenticates with client_secret_basic or
 * client_secret_post (oidc-provider takes either for a client with a secret).
 */
export const defaultOidcClient: OidcTestClient = {
  clientId: 'plinth-local',
  clientSecret: 'plinth-local-oidc-secret',
};

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** http or https on 127.0.0.1, localhost or [::1], any port and path, no fragment (RFC 6749 §3.1.2). */
export function isLoopbackRedirect(uri: string): boolean {
  const url = URL.parse(uri);
  return (
    url !== null &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    loopbackHosts.has(url.hostname) &&
    !uri.includes('#')
  );
}

/** A client metadata property: a client that has it may be sent back to any loopback redirect URI. */
export const anyLoopbackRedirect = 'urn:plinth:local:any_loopback_redirect_uri';

export type SignInCheck = { ok: true; user: OidcTestUser; amr: string[] } | { ok: false; detail: string };

/** The sign-in form's answer: who signed in and how (`amr`, RFC 8176), or why not. */
export function checkSignIn(
  users: readonly OidcTestUser[],
  form: { email?: string | null; password?: string | null; code?: string | null },
): SignInCheck {
  const user = users.find((u) => u.email === form.email?.trim().toLowerCase());
  if (!user || user.password !== form.password) return { ok: false, detail: 'Wrong email or password.' };
  const code = form.code?.trim() ?? '';
  if (code === '') return { ok: true, user, amr: ['pwd'] };
  if (code !== testOneTimeCode) return { ok: false, detail: 'Wrong one-time code.' };
  return { ok: true, user, amr: ['pwd', 'otp'] };
}

export interface OidcProviderKeys {
  /** The private signing keys, as JWKs; the provider publishes their public halves at its JWKS endpoint. */
  signing: JWK[];
  /** Keys that sign the provider's cookies. */
  cookies: string[];
}

export function newOidcProviderKeys(): OidcProviderKeys {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return {
    signing: [{ ...jwk, kid: randomUUID(), use: 'sig', alg: 'RS256' }],
    cookies: [randomBytes(32).toString('base64url')],
  };
}

function accountOf(user: OidcTestUser): Account {
  return {
    accountId: user.sub,
    claims: () => ({
      sub: user.sub,
      email: user.email,
      email_verified: true,
      name: user.name,
      groups: [...user.groups],
    }),
  };
}

/**
 * Every client here is a test client: what it asks of the scopes the provider knows is granted
 * without a consent page, on the grant the session already has for it or a new one.
 */
async function grantRequestedScopes(ctx: KoaContextWithOIDC) {
  const { client, session, params, provider } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  const requested = typeof params?.scope === 'string' ? params.scope : 'openid';
  grant.addOIDCScope(requested);
  await grant.save();
  return grant;
}

const minutes = (n: number) => n * 60;

export function oidcProviderConfiguration(input: {
  users: readonly OidcTestUser[];
  client: OidcTestClient;
  keys: OidcProviderKeys;
  renderError: NonNullable<Configuration['renderError']>;
  logoutSource: NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>['logoutSource'];
  postLogoutSuccessSource: NonNullable<
    NonNullable<Configuration['features']>['rpInitiatedLogout']
  >['postLogoutSuccessSource'];
}): Configuration {
  const client: ClientMetadata = {
    client_id: input.client.clientId,
    client_secret: input.client.clientSecret,
    client_name: 'Plinth (local)',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...(input.client.redirectUris
      ? { redirect_uris: [...input.client.redirectUris] }
      : // A placeholder the schema requires; the client's loopback policy admits the rest.
        { redirect_uris: ['http://127.0.0.1/callback'], [anyLoopbackRedirect]: true }),
  };
  return {
    clients: [client],
    extraClientMetadata: { properties: [anyLoopbackRedirect] },
    findAccount: (_ctx, sub) => {
      const user = input.users.find((u) => u.sub === sub);
      return user ? accountOf(user) : undefined;
    },
    // `groups` is a scope of its own, as Okta's and Keycloak's are: an RP asks for it to get the claim.
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      // oidc-provider's own standalone claims, kept as its defaults have them.
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
      // amr with openid: every ID token says how its user signed in; claims a scope lists are in it.
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // The ID token carries every claim its scopes grant (email, name, groups), not only sub.
    conformIdTokenClaims: false,
    loadExistingGrant: grantRequestedScopes,
    // Only the authorization code flow, the one Plinth's connections use.
    responseTypes: ['code'],
    jwks: { keys: input.keys.signing },
    cookies: { keys: input.keys.cookies },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: input.logoutSource,
        postLogoutSuccessSource: input.postLogoutSuccessSource,
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: input.renderError,
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: minutes(60),
      AuthorizationCode: minutes(1),
      IdToken: minutes(60),
      Interaction: minutes(10),
      Session: minutes(8 * 60),
      Grant: minutes(8 * 60),
    },
  };
}
