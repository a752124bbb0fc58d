// The local OpenID Connect provider over HTTP, as a tenant's IT would run Okta or Entra ID: oidc-provider
// serves discovery, authorization (code + PKCE), token, userinfo, JWKS and end_session; this module adds
// the sign-in page (plain HTML forms, so `fetch` with a cookie jar can sign in as well as a browser).
// Its signing keys persist in a state file, so tokens and connections survive restarts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type Client, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import * as z from 'zod';
import { closeServer, listenOnLoopback, readRequestBody } from '../service-http.ts';
import { readJsonFile, writeJsonFile } from '../state-files.ts';
import {
  anyLoopbackRedirect,
  checkSignIn,
  defaultOidcClient,
  defaultOidcUsers,
  isLoopbackRedirect,
  newOidcProviderKeys,
  oidcProviderConfiguration,
  testOneTimeCode,
  type OidcProviderKeys,
  type OidcTestClient,
  type OidcTestUser,
} from './oidc-idp.ts';
import { escapeMarkup } from '../../../libs/http/markup.ts';

export interface LocalOidcServer {
  /** The issuer, `http://127.0.0.1:<port>`. */
  url: string;
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  client: OidcTestClient;
  users: readonly OidcTestUser[];
  /** The second factor the sign-in page takes: `amr` becomes `['pwd', 'otp']`. */
  oneTimeCode: string;
  stop(): Promise<void>;
}

const keysSchema = z.object({
  signing: z.array(z.object({ kty: z.string(), kid: z.string() }).passthrough()).min(1),
  cookies: z.array(z.string().min(32)).min(1),
});

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(title)}</title></head>
<body><h1>${escapeMarkup(title)}</h1>${body}</body></html>`;
}

function reply(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page(title, body));
}

const koaPage = (ctx: KoaContextWithOIDC, title: string, body: string) => {
  ctx.type = 'html';
  ctx.body = page(title, body);
};

const renderError: NonNullable<Configuration['renderError']> = (ctx, out) => {
  koaPage(
    ctx,
    'Local OIDC provider: error',
    `<p role="alert"><code>${escapeMarkup(out.error)}</code>${
      out.error_description ? `: ${escapeMarkup(out.error_description)}` : ''
    }</p>`,
  );
};

function signInForm(uid: string, clientName: string, error?: string): string {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return `${error ? `<p role="alert">${escapeMarkup(error)}</p>` : ''}<p>Sign in to ${escapeMarkup(clientName)}.</p>
<form method="post" action="${escapeMarkup(action)}/login">
<label>Email <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<label>One-time code (optional, ${escapeMarkup(testOneTimeCode)} signs in with MFA) <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>
<button type="submit">Sign in</button></form>
<form method="post" action="${escapeMarkup(action)}/abort"><button type="submit">Cancel</button></form>`;
}

function consentForm(uid: string, clientName: string, scope: string): string {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return `<p>${escapeMarkup(clientName)} asks for: ${escapeMarkup(scope)}.</p>
<form method="post" action="${escapeMarkup(action)}/consent"><button type="submit">Allow</button></form>
<form method="post" action="${escapeMarkup(action)}/abort"><button type="submit">Deny</button></form>`;
}

/**
 * Admits any loopback redirect URI (and post-logout redirect URI) for clients registered with
 * `anyLoopbackRedirect`, the way oidc-provider's redirect URI wildcard recipe overrides the check;
 * every other URI is checked as oidc-provider checks it, against the registered ones.
 */
function admitLoopbackRedirects(provider: Provider): void {
  const prototype = provider.Client.prototype;
  for (const method of ['redirectUriAllowed', 'postLogoutRedirectUriAllowed'] as const) {
    const registered = Object.getOwnPropertyDescriptor(prototype, method)!.value as (
      this: Client,
      uri: string,
    ) => boolean;
    prototype[method] = function (this: Client, uri: string) {
      return (this[anyLoopbackRedirect] === true && isLoopbackRedirect(uri)) || registered.call(this, uri);
    };
  }
}

export async function startLocalOidcServer(options: {
  port?: number;
  /** Where the signing and cookie keys persist (mode 0600). @default new keys each start */
  stateFile?: string;
  users?: readonly OidcTestUser[];
  client?: OidcTestClient;
}): Promise<LocalOidcServer> {
  const users = options.users ?? defaultOidcUsers;
  const client = options.client ?? defaultOidcClient;
  const stored = options.stateFile ? readJsonFile(options.stateFile, keysSchema) : undefined;
  const keys = (stored as OidcProviderKeys | undefined) ?? newOidcProviderKeys();
  if (!stored && options.stateFile) writeJsonFile(options.stateFile, keys, { mode: 0o600 });

  // The issuer names the port, known once the server listens; no request arrives before that.
  const started: { provider?: Provider; serve?: ReturnType<Provider['callback']> } = {};
  const providerOf = () => started.provider!;

  async function interaction(req: IncomingMessage, res: ServerResponse, step: string) {
    const provider = providerOf();
    // Without the interaction's cookie, or after it expired, there is no sign-in to go on with.
    const details = await provider.interactionDetails(req, res).catch(() => undefined);
    if (!details) {
      req.resume();
      reply(res, 400, 'Sign-in expired', '<p>Start again from the application.</p>');
      return;
    }
    const { uid } = details;
    const clientId = String(details.params.client_id);
    const clientName = (await provider.Client.find(clientId))?.clientName ?? clientId;
    const scope = typeof details.params.scope === 'string' ? details.params.scope : 'openid';
    const route = `${req.method ?? 'GET'} ${step}`;
    if (route === 'GET /') {
      req.resume();
      if (details.prompt.name === 'login')
        reply(res, 200, 'Local OIDC provider: sign in', signInForm(uid, clientName));
      else reply(res, 200, 'Local OIDC provider: allow access', consentForm(uid, clientName, scope));
      return;
    }
    if (route === 'POST /login') {
      const form = new URLSearchParams((await readRequestBody(req, 16 * 1024)).toString('utf8'));
      const signIn = checkSignIn(users, {
        email: form.get('email'),
        password: form.get('password'),
        code: form.get('code'),
      });
      if (!signIn.ok) {
        reply(res, 401, 'Local OIDC provider: sign in', signInForm(uid, clientName, signIn.detail));
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: signIn.user.sub, amr: signIn.amr } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    req.resume();
    if (route === 'POST /consent') {
      // Consent follows a sign-in: before one, there is no user to grant anything for.
      if (!details.session) {
        reply(res, 400, 'Nothing to allow', '<p>Sign in first.</p>');
        return;
      }
      const grant = new provider.Grant({ clientId, accountId: details.session.accountId });
      grant.addOIDCScope(scope);
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
      return;
    }
    if (route === 'POST /abort') {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'the user cancelled the sign-in',
      });
      return;
    }
    reply(res, 404, 'Not found', '<p>No such step of a sign-in.</p>');
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // /interaction/<uid>[/<step>]: the interaction is the one the browser's cookie names.
    const match = /^\/interaction\/[\w-]+(\/\w+)?$/.exec(path);
    if (!match) {
      void started.serve!(req, res);
      return;
    }
    interaction(req, res, match[1] ?? '/').catch(() => {
      if (!res.headersSent) reply(res, 500, 'Error', '<p>The local OIDC provider failed this request.</p>');
      else res.end();
    });
  });
  const port = await listenOnLoopback(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  const provider = new Provider(
    url,
    oidcProviderConfiguration({
      users,
      client,
      keys,
      renderError,
      logoutSource: (ctx, form) =>
        koaPage(
          ctx,
          'Local OIDC provider: sign out',
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
        ),
      postLogoutSuccessSource: (ctx) =>
        koaPage(ctx, 'Local OIDC provider: signed out', '<p>You are signed out.</p>'),
    }),
  );
  admitLoopbackRedirects(provider);
  started.provider = provider;
  started.serve = provider.callback();
  return {
    url,
    issuer: provider.issuer,
    discoveryUrl: `${url}/.well-known/openid-configuration`,
    jwksUrl: `${url}/jwks`,
    client,
    users,
    oneTimeCode: testOneTimeCode,
    stop: () => closeServer(server),
  };
}
