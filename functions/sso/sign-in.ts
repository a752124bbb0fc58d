// SSO sign-in through a tenant's SAML or OIDC connection. An app starts it with an email (home realm
// discovery: the verified domain names the tenant, whose connection is used) or a connection id,
// a redirect URI of the deployment's console and a PKCE challenge. The IdP's response is verified,
// its email must be in a domain the tenant verified, the tenant's MFA policy is applied to what the
// IdP says about factors, and the person is provisioned (first sign-in) or updated (later ones).
// The app then gets a one-time code that only its PKCE verifier turns into the user pool's tokens.
// Every refusal is recorded against the connection for the tenant's admin. These steps are the same
// for both protocols; what differs (the request to the IdP, verifying its answer) is in
// saml-sign-in.ts and oidc-sign-in.ts.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import { Problem, problems } from '../../libs/http/problem.ts';
import { canonicalDomain } from './domains.ts';
import type { ConnectionItem, SignInItem, SsoEntities } from './entities.ts';
import { SignInRefusal, type MappedProfile } from './mapped-profile.ts';
import { createProvisioning, type ProvisioningDeps } from './provisioning.ts';
import { createOidcSignIn, type OidcCallback, type OidcSignInDeps } from './oidc-sign-in.ts';
import { createSamlSignIn } from './saml-sign-in.ts';
import type { SsoStore } from './store.ts';

export { SignInRefusal, type MappedProfile } from './mapped-profile.ts';

/** How long the person has at the IdP, and how long the app has to redeem its code. */
const signInMinutes = 10;
export const codeSeconds = 120;

export interface SignInDeps extends ProvisioningDeps {
  store: Pick<SsoStore, 'findConnection' | 'enabledConnections' | 'claimOf' | 'getDomain'>;
  entities: Pick<SsoEntities, 'samlAssertion'>;
  /** Opens OIDC client secrets, and reaches providers through the URL guard. */
  oidc: OidcSignInDeps;
  /** Origins an app may ask the result to be sent to: the console's. */
  redirectOrigins: readonly string[];
  /** Where an IdP-initiated sign-in lands when its RelayState names no allowed URL. */
  defaultRedirect: string;
  logger: Logger;
}

export interface AuthorizeRequest {
  email?: string | undefined;
  connection?: string | undefined;
  redirectUri: string;
  codeChallenge: string;
  state?: string | undefined;
}

export type AcsOutcome =
  { kind: 'redirect'; location: string } | { kind: 'test'; testId: string; status: 'completed' | 'failed' };

const base64url = (bytes: Buffer) => bytes.toString('base64url');
export const hashCode = (code: string) => base64url(createHash('sha256').update(code).digest());
export const s256 = (verifier: string) => base64url(createHash('sha256').update(verifier).digest());

function allowedRedirect(origins: readonly string[], uri: string): boolean {
  try {
    return origins.includes(new URL(uri).origin);
  } catch {
    return false;
  }
}

function withQuery(uri: string, values: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(values))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export function createSignIn(deps: SignInDeps) {
  const { store, signIns, logger } = deps;

  const notConfigured = (domain: string) =>
    new Problem(
      404,
      'sso_not_configured',
      `No SSO connection signs in addresses at ${domain}; sign in with your password.`,
    );

  async function connectionFor(request: AuthorizeRequest): Promise<ConnectionItem> {
    if (request.connection !== undefined) {
      const found = await store.findConnection(request.connection);
      if (!found) throw problems.notFound('The SSO connection');
      if (!found.enabled) throw new Problem(403, 'connection_disabled', 'This SSO connection is disabled.');
      return found;
    }
    const at = (request.email ?? '').split('@').pop() ?? '';
    const canonical = canonicalDomain(at);
    const domain = 'domain' in canonical ? canonical.domain : at;
    const claim = 'domain' in canonical ? await store.claimOf(domain) : undefined;
    if (!claim) throw notConfigured(domain);
    const connections = await store.enabledConnections(claim.tenantId);
    if (connections.length === 0) throw notConfigured(domain);
    if (connections.length > 1) {
      // Naming them would show the tenant's IdPs to anyone with an address at the domain.
      throw problems.conflict(
        'connection_required',
        `Several SSO connections sign in addresses at ${domain}; start with the connection your administrator gives you.`,
      );
    }
    return connections[0]!;
  }

  const protocols = { saml: createSamlSignIn(deps), oidc: createOidcSignIn(deps.oidc) };
  const { provision } = createProvisioning(deps);

  /** The IdP URL for a new sign-in or test; the sign-in item remembers what the answer must match. */
  async function open(
    connection: ConnectionItem,
    apiBase: string,
    fields: Pick<SignInItem, 'mode'> & Partial<SignInItem>,
  ): Promise<{ signInId: string; url: string }> {
    const now = deps.clock();
    const signInId = `sin_${ulid(now.getTime())}`;
    const { url, remember } = await protocols[connection.type].begin(connection, signInId, apiBase);
    await signIns.createSignIn({
      ...fields,
      ...remember,
      signInId,
      tenantId: connection.tenantId,
      connectionId: connection.connectionId,
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt: Math.ceil(now.getTime() / 1000) + signInMinutes * 60,
    });
    return { signInId, url };
  }

  async function authorize(request: AuthorizeRequest, apiBase: string): Promise<string> {
    if (!allowedRedirect(deps.redirectOrigins, request.redirectUri)) {
      throw problems.validation([
        {
          path: 'query.redirect_uri',
          code: 'redirect_uri_not_allowed',
          message: `must be on ${deps.redirectOrigins.join(' or ')}`,
        },
      ]);
    }
    const connection = await connectionFor(request);
    const { url } = await open(connection, apiBase, {
      mode: 'sign_in',
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      ...(request.state !== undefined ? { appState: request.state } : {}),
    });
    return url;
  }

  async function startTest(connection: ConnectionItem, apiBase: string, startedBy: string) {
    return open(connection, apiBase, { mode: 'test', startedBy });
  }

  /** The sign-in an answer names (SAML's RelayState, OIDC's state); undefined for none (unsolicited). */
  async function pendingSignIn(connection: ConnectionItem, reference: string | undefined) {
    if (reference === undefined || !/^sin_[0-9A-HJKMNP-TV-Z]{26}$/.test(reference)) return undefined;
    const signIn = await signIns.getSignIn(reference);
    const now = deps.clock().getTime() / 1000;
    if (
      !signIn ||
      signIn.connectionId !== connection.connectionId ||
      signIn.tenantId !== connection.tenantId
    ) {
      throw new SignInRefusal('unknown_sign_in', 'the answer names no sign-in of this connection');
    }
    if (signIn.status !== 'pending' || signIn.expiresAt <= now) {
      throw new SignInRefusal('sign_in_expired', 'this sign-in was used or has expired; start again');
    }
    return signIn;
  }

  async function requireVerifiedEmail(
    connection: ConnectionItem,
    email: string | undefined,
  ): Promise<string> {
    if (!email) {
      throw new SignInRefusal(
        'email_missing',
        connection.type === 'oidc'
          ? `the provider gave no email: no "${connection.attributeMapping.email}" claim in the ID token or userinfo`
          : `the assertion has no email: neither attribute "${connection.attributeMapping.email}" nor an email NameID`,
      );
    }
    const canonical = canonicalDomain(email.split('@').pop() ?? '');
    const domain =
      'domain' in canonical ? await store.getDomain(connection.tenantId, canonical.domain) : undefined;
    if (domain?.status !== 'verified') {
      throw new SignInRefusal(
        'domain_not_verified',
        `${email} is not in a domain this tenant has verified; verify the domain before its users sign in`,
        email,
      );
    }
    return email;
  }

  async function requireMfaPolicy(tenantId: string, profile: MappedProfile, email: string): Promise<void> {
    const settings = await signIns.getSettings(tenantId);
    if (settings?.mfaPolicy === 'required' && !profile.mfa) {
      throw new SignInRefusal(
        'mfa_required',
        'the tenant requires MFA and the IdP did not report a second factor (SAML AuthnContext or authentication methods, OIDC amr or acr); require MFA for this app at the IdP',
        email,
      );
    }
  }

  /** A one-time code for the app, bound to its PKCE challenge (none for an IdP-initiated sign-in). */
  async function issueCode(
    connection: ConnectionItem,
    user: UserItem,
    mfa: boolean,
    codeChallenge: string | undefined,
  ): Promise<string> {
    const code = base64url(randomBytes(32));
    await signIns.createProof({
      codeHash: hashCode(code),
      tenantId: user.tenantId,
      userId: user.userId,
      username: user.userId,
      codeChallenge: codeChallenge ?? '',
      connectionId: connection.connectionId,
      mfa,
      expiresAt: Math.ceil(deps.clock().getTime() / 1000) + codeSeconds,
    });
    return code;
  }

  async function refuse(connection: ConnectionItem, refusal: SignInRefusal): Promise<void> {
    logger.warn('sso sign-in refused', {
      connectionId: connection.connectionId,
      code: refusal.code,
      reason: refusal.message,
    });
    await signIns.recordFailure({
      tenantId: connection.tenantId,
      connectionId: connection.connectionId,
      code: refusal.code,
      message: refusal.message,
      ...(refusal.email ? { email: refusal.email } : {}),
    });
  }

  /**
   * Settles an IdP's answer to a sign-in (or, for SAML only, an unsolicited one): the protocol's
   * `verify` reads it into a profile, then the shared steps decide. Refusals are recorded, then
   * answered: to a test's result, to the app's redirect URI, or as a problem when there is neither.
   */
  async function settle(
    connectionId: string,
    reference: string | undefined,
    verify: (connection: ConnectionItem, signIn: SignInItem | undefined) => Promise<MappedProfile>,
  ): Promise<AcsOutcome> {
    const connection = await store.findConnection(connectionId);
    if (!connection) throw problems.notFound('The SSO connection');
    let signIn: SignInItem | undefined;
    try {
      signIn = await pendingSignIn(connection, reference);
      if (!connection.enabled) throw new SignInRefusal('connection_disabled', 'the connection is disabled');
      const profile = await verify(connection, signIn);
      if (signIn?.mode === 'test') {
        await requireVerifiedEmail(connection, profile.email);
        await signIns.finishSignIn(signIn, 'completed', { profile });
        return { kind: 'test', testId: signIn.signInId, status: 'completed' };
      }
      // The sign-in is used up before anything is provisioned, so a second answer to it does nothing.
      if (signIn && !(await signIns.finishSignIn(signIn, 'completed'))) {
        throw new SignInRefusal('sign_in_expired', 'this sign-in was already completed');
      }
      const email = await requireVerifiedEmail(connection, profile.email);
      await requireMfaPolicy(connection.tenantId, profile, email);
      const user = await provision(connection, profile, email);
      const code = await issueCode(connection, user, profile.mfa, signIn?.codeChallenge);
      const target = signIn?.redirectUri ?? idpInitiatedTarget(reference);
      return { kind: 'redirect', location: withQuery(target, { code, state: signIn?.appState }) };
    } catch (error) {
      if (!(error instanceof SignInRefusal)) throw error;
      await refuse(connection, error);
      if (signIn?.mode === 'test') {
        await signIns.finishSignIn(signIn, 'failed', {
          error: { code: error.code, message: error.message },
        });
        return { kind: 'test', testId: signIn.signInId, status: 'failed' };
      }
      if (signIn?.redirectUri) {
        return {
          kind: 'redirect',
          location: withQuery(signIn.redirectUri, {
            error: 'access_denied',
            error_description: `${error.code}: ${error.message}`,
            state: signIn.appState,
          }),
        };
      }
      throw new Problem(403, 'sso_sign_in_refused', `The sign-in was refused: ${error.message}.`, {
        extensions: { reason: error.code },
      });
    }
  }

  /** What a SAML IdP posted to the ACS URL. */
  function consume(
    connectionId: string,
    form: { SAMLResponse: string; RelayState?: string | undefined },
    apiBase: string,
  ): Promise<AcsOutcome> {
    return settle(connectionId, form.RelayState, (connection, signIn) => {
      if (connection.type !== 'saml') throw problems.notFound('The SAML connection');
      return protocols.saml.verify(connection, signIn, form.SAMLResponse, apiBase);
    });
  }

  /** Where an OpenID provider sent the browser back, with a code (or an error) and the state. */
  function callback(connectionId: string, query: OidcCallback, apiBase: string): Promise<AcsOutcome> {
    return settle(connectionId, query.state, (connection, signIn) => {
      if (connection.type !== 'oidc') throw problems.notFound('The OIDC connection');
      return protocols.oidc.verify(connection, signIn, query, apiBase);
    });
  }

  function idpInitiatedTarget(relayState: string | undefined): string {
    return relayState !== undefined && allowedRedirect(deps.redirectOrigins, relayState)
      ? relayState
      : deps.defaultRedirect;
  }

  return { authorize, startTest, consume, callback };
}

export type SignIn = ReturnType<typeof createSignIn>;
