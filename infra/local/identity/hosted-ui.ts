// The local user pool's hosted sign-in: Cognito's OAuth 2.0 endpoints on its domain, so an app's
// authorization code + PKCE flow runs on one machine as against Cognito. `/oauth2/authorize` shows a
// sign-in page (then MFA or a new password when the pool asks for one) and redirects back with a
// code; `/oauth2/token` exchanges it (or a refresh token); `/oauth2/userInfo`, `/oauth2/revoke` and
// `/logout` behave as Cognito's. Codes, pending sign-ins and sign-in cookies live in memory: a
// restart means signing in again, never a token that outlives its session.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from '../service-http.ts';
import type { SignInStep } from './auth-flows.ts';
import {
  refreshSession,
  revokeRefreshToken,
  startSession,
  userOfAccessTokenIn,
  type HostedGrant,
  type LocalPool,
} from './pool.ts';
import { CognitoError } from './protocol.ts';
import type { UserRecord } from './state.ts';
import { attributeList, findUser } from './users.ts';
import { escapeMarkup } from '../../../libs/http/markup.ts';

/** An app client that may use the hosted sign-in, with what Cognito's client settings would hold. */
export interface HostedClient {
  clientId: string;
  callbackUrls: readonly string[];
  logoutUrls: readonly string[];
  /** The OAuth scopes it may ask for; all of them when a request names none. */
  scopes: readonly string[];
}

export interface HostedUiOptions {
  pool: LocalPool;
  clients: readonly HostedClient[];
  flows: {
    hostedSignIn(
      clientId: string,
      username: string,
      password: string,
      grant: HostedGrant,
    ): Promise<SignInStep>;
    respondToAuthChallenge(body: unknown): Promise<SignInStep>;
  };
}

/** Cognito's authorization codes and sign-in pages last five minutes, its sign-in cookie an hour. */
const codeMs = 5 * 60 * 1000;
const pendingMs = 5 * 60 * 1000;
const cookieMs = 60 * 60 * 1000;
const cookieName = 'plinth-local-signin';
const maxFormBytes = 64 * 1024;

interface AuthorizeRequest {
  client: HostedClient;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  grant: HostedGrant;
  /** Checked against the form's hidden field, so another site cannot post the sign-in form. */
  csrf: string;
  expiresAt: number;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  tokens: { AccessToken: string; IdToken: string; RefreshToken?: string; ExpiresIn: number };
  expiresAt: number;
}

const random = () => randomBytes(32).toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 7636 S256: the challenge is the base64url SHA-256 of the verifier (43 to 128 unreserved characters). */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  return sameText(createHash('sha256').update(verifier).digest('base64url'), challenge);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readRequestBody(req, maxFormBytes)).toString('utf8'));
}

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    'x-frame-options': 'DENY',
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;color:#16191f}
label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.25rem 0 1rem;padding:.5rem}
button{padding:.6rem;background:#0972d3;color:#fff;border:0;border-radius:4px}.error{color:#d91515}</style>
</head><body><h1>${escapeMarkup(title)}</h1>${body}</body></html>`);
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(
      ([name, value]) => `<input type="hidden" name="${escapeMarkup(name)}" value="${escapeMarkup(value)}">`,
    )
    .join('');
}

/** The error Cognito redirects an app to: on its redirect URI, with the request's state. */
function appError(
  res: ServerResponse,
  redirectUri: string,
  state: string | undefined,
  error: string,
  description: string,
) {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (state !== undefined) url.searchParams.set('state', state);
  redirect(res, url.toString());
}

export function createHostedUi(options: HostedUiOptions) {
  const { pool, flows } = options;
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const requests = new Map<string, AuthorizeRequest>();
  const codes = new Map<string, IssuedCode>();
  const signIns = new Map<string, { username: string; expiresAt: number }>();

  function sweep(): void {
    const now = pool.now();
    for (const map of [requests, codes, signIns] as Array<Map<string, { expiresAt: number }>>) {
      for (const [key, value] of map) if (value.expiresAt <= now) map.delete(key);
    }
  }

  function signInPage(
    res: ServerResponse,
    requestId: string,
    request: AuthorizeRequest,
    error?: string,
  ): void {
    page(
      res,
      error ? 400 : 200,
      'Sign in',
      `${error ? `<p class="error" role="alert">${escapeMarkup(error)}</p>` : ''}
<form method="post" action="/login">${hidden({ request: requestId, csrf: request.csrf })}
<label for="username">Email</label><input id="username" name="username" type="email" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`,
    );
  }

  function challengePage(
    res: ServerResponse,
    requestId: string,
    request: AuthorizeRequest,
    step: { ChallengeName: string; Session: string; username: string },
    error?: string,
  ): void {
    const fields = hidden({
      request: requestId,
      csrf: request.csrf,
      session: step.Session,
      username: step.username,
    });
    const alert = error ? `<p class="error" role="alert">${escapeMarkup(error)}</p>` : '';
    if (step.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      page(
        res,
        error ? 400 : 200,
        'Enter your code',
        `${alert}<form method="post" action="/login/mfa">${fields}
<label for="code">Code from your authenticator app</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus>
<button type="submit">Sign in</button></form>`,
      );
      return;
    }
    page(
      res,
      error ? 400 : 200,
      'Choose a new password',
      `${alert}<form method="post" action="/login/new-password">${fields}
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" required autofocus>
<button type="submit">Set password and sign in</button></form>`,
    );
  }

  /** Ends a sign-in: a code for the app, and the cookie that signs the browser in for an hour. */
  function finish(
    res: ServerResponse,
    requestId: string,
    request: AuthorizeRequest,
    user: UserRecord,
    tokens: IssuedCode['tokens'],
  ): void {
    requests.delete(requestId);
    const code = random();
    codes.set(code, {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      tokens,
      expiresAt: pool.now() + codeMs,
    });
    const cookie = random();
    signIns.set(cookie, { username: user.username, expiresAt: pool.now() + cookieMs });
    const url = new URL(request.redirectUri);
    url.searchParams.set('code', code);
    if (request.state !== undefined) url.searchParams.set('state', request.state);
    redirect(res, url.toString(), {
      'set-cookie': `${cookieName}=${cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${cookieMs / 1000}`,
    });
  }

  function userOfCookie(req: IncomingMessage): UserRecord | undefined {
    const id = cookiesOf(req).get(cookieName);
    const signIn = id ? signIns.get(id) : undefined;
    if (!signIn || signIn.expiresAt <= pool.now()) return undefined;
    const user = pool.state.users[signIn.username];
    return user?.enabled ? user : undefined;
  }

  async function authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const client = clients.get(clientId);
    // Without a known client and one of its callback URLs there is nowhere safe to send an error.
    if (!client || !client.callbackUrls.includes(redirectUri)) {
      redirect(res, `/error?error=redirect_mismatch&client_id=${encodeURIComponent(clientId)}`);
      return;
    }
    const state = query.get('state') ?? undefined;
    const responseType = query.get('response_type');
    if (responseType !== 'code') {
      appError(
        res,
        redirectUri,
        state,
        responseType === 'token' ? 'unauthorized_client' : 'unsupported_response_type',
        'this client may use the authorization code grant (response_type=code) only',
      );
      return;
    }
    const asked = (query.get('scope') ?? '').split(' ').filter(Boolean);
    const unknown = asked.filter((s) => !client.scopes.includes(s));
    if (unknown.length > 0) {
      appError(res, redirectUri, state, 'invalid_scope', `not allowed for this client: ${unknown.join(' ')}`);
      return;
    }
    const codeChallenge = query.get('code_challenge') ?? '';
    if (query.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
      appError(
        res,
        redirectUri,
        state,
        'invalid_request',
        'a public client must send PKCE: code_challenge (base64url SHA-256) with code_challenge_method=S256',
      );
      return;
    }
    sweep();
    const request: AuthorizeRequest = {
      client,
      redirectUri,
      state,
      codeChallenge,
      grant: {
        scopes: asked.length > 0 ? asked : [...client.scopes],
        nonce: query.get('nonce') ?? undefined,
      },
      csrf: random(),
      expiresAt: pool.now() + pendingMs,
    };
    const requestId = random();
    requests.set(requestId, request);
    const signedIn = query.get('prompt') === 'login' ? undefined : userOfCookie(req);
    if (signedIn) {
      const tokens = await startSession(
        pool,
        signedIn,
        clientId,
        'TokenGeneration_HostedAuth',
        undefined,
        request.grant,
      );
      finish(res, requestId, request, signedIn, tokens);
      return;
    }
    signInPage(res, requestId, request);
  }

  /** The pending request a sign-in form belongs to, if the form came from its page. */
  function requestOfForm(form: URLSearchParams): [string, AuthorizeRequest] | undefined {
    const id = form.get('request') ?? '';
    const request = requests.get(id);
    if (!request || request.expiresAt <= pool.now()) return undefined;
    return sameText(form.get('csrf') ?? '', request.csrf) ? [id, request] : undefined;
  }

  async function answerStep(
    res: ServerResponse,
    requestId: string,
    request: AuthorizeRequest,
    username: string,
    step: () => Promise<SignInStep>,
    onError: (message: string) => void,
  ): Promise<void> {
    let result: SignInStep;
    try {
      result = await step();
    } catch (error) {
      if (error instanceof CognitoError) {
        onError(error.message);
        return;
      }
      throw error;
    }
    if ('AuthenticationResult' in result) {
      const user = findUser(pool.state, username);
      if (!user) throw new Error('the signed-in user is gone');
      finish(res, requestId, request, user, result.AuthenticationResult);
      return;
    }
    challengePage(res, requestId, request, {
      ...result,
      username: result.ChallengeParameters.USER_ID_FOR_SRP ?? username,
    });
  }

  async function login(res: ServerResponse, form: URLSearchParams, path: string): Promise<void> {
    const found = requestOfForm(form);
    if (!found) {
      page(
        res,
        400,
        'Sign-in expired',
        '<p>This sign-in page has expired or was not opened here. Start again from the app.</p>',
      );
      return;
    }
    const [requestId, request] = found;
    const clientId = request.client.clientId;
    const username = form.get('username') ?? '';
    if (path === '/login') {
      await answerStep(
        res,
        requestId,
        request,
        username,
        () => flows.hostedSignIn(clientId, username, form.get('password') ?? '', request.grant),
        (message) => signInPage(res, requestId, request, message),
      );
      return;
    }
    const mfa = path === '/login/mfa';
    const session = form.get('session') ?? '';
    const challengeName = mfa ? 'SOFTWARE_TOKEN_MFA' : 'NEW_PASSWORD_REQUIRED';
    await answerStep(
      res,
      requestId,
      request,
      username,
      () =>
        flows.respondToAuthChallenge({
          ClientId: clientId,
          ChallengeName: challengeName,
          Session: session,
          ChallengeResponses: mfa
            ? { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: form.get('code') ?? '' }
            : { USERNAME: username, NEW_PASSWORD: form.get('password') ?? '' },
        }),
      (message) =>
        challengePage(
          res,
          requestId,
          request,
          { ChallengeName: challengeName, Session: session, username },
          message,
        ),
    );
  }

  /** The client a token request authenticates as: public clients name themselves. */
  function tokenClient(req: IncomingMessage, form: URLSearchParams): HostedClient | undefined {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const id = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] : form.get('client_id');
    return id ? clients.get(id) : undefined;
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      req.resume();
      json(res, 400, {
        error: 'invalid_request',
        error_description: 'send application/x-www-form-urlencoded',
      });
      return;
    }
    const form = await readForm(req);
    const client = tokenClient(req, form);
    if (!client) {
      json(res, 400, { error: 'invalid_client' });
      return;
    }
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const issued = codes.get(code);
      codes.delete(code); // single use, whatever happens next
      const good =
        issued !== undefined &&
        issued.expiresAt > pool.now() &&
        issued.clientId === client.clientId &&
        issued.redirectUri === form.get('redirect_uri') &&
        pkceMatches(form.get('code_verifier') ?? '', issued.codeChallenge);
      if (!good) {
        json(res, 400, { error: 'invalid_grant' });
        return;
      }
      json(res, 200, {
        access_token: issued.tokens.AccessToken,
        id_token: issued.tokens.IdToken,
        refresh_token: issued.tokens.RefreshToken,
        token_type: 'Bearer',
        expires_in: issued.tokens.ExpiresIn,
      });
      return;
    }
    if (grantType === 'refresh_token') {
      try {
        const refreshed = await refreshSession(pool, form.get('refresh_token') ?? '', client.clientId);
        json(res, 200, {
          access_token: refreshed.AccessToken,
          id_token: refreshed.IdToken,
          token_type: 'Bearer',
          expires_in: refreshed.ExpiresIn,
        });
      } catch (error) {
        if (!(error instanceof CognitoError)) throw error;
        json(res, 400, { error: 'invalid_grant' });
      }
      return;
    }
    json(res, 400, { error: 'unsupported_grant_type' });
  }

  function userInfo(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    try {
      const user = userOfAccessTokenIn(pool, bearer, 'openid');
      const claims = Object.fromEntries(attributeList(user).map((a) => [a.Name, a.Value]));
      json(res, 200, { ...claims, sub: user.username, username: user.username });
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      json(
        res,
        401,
        { error: 'invalid_token', error_description: error.message },
        {
          'www-authenticate': `Bearer error="invalid_token", error_description="${error.message}"`,
        },
      );
    }
  }

  async function revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const client = tokenClient(req, form);
    if (!client) {
      json(res, 400, { error: 'invalid_client' });
      return;
    }
    if (revokeRefreshToken(pool, form.get('token') ?? '', client.clientId) === 'other_client') {
      json(res, 400, { error: 'unauthorized_client' });
      return;
    }
    res.writeHead(200, { 'cache-control': 'no-store' });
    res.end();
  }

  function logout(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    req.resume();
    const client = clients.get(query.get('client_id') ?? '');
    const logoutUri = query.get('logout_uri');
    const cookie = cookiesOf(req).get(cookieName);
    if (!client || logoutUri === null || !client.logoutUrls.includes(logoutUri)) {
      redirect(
        res,
        `/error?error=redirect_mismatch&client_id=${encodeURIComponent(query.get('client_id') ?? '')}`,
      );
      return;
    }
    if (cookie) signIns.delete(cookie);
    redirect(res, logoutUri, { 'set-cookie': `${cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
  }

  function errorPage(res: ServerResponse, query: URLSearchParams): void {
    const error = query.get('error') ?? 'unknown';
    const detail =
      error === 'redirect_mismatch'
        ? 'The app asked to return to an address that is not among its client’s callback (or sign-out) URLs, or named no known client.'
        : 'The sign-in request is not valid.';
    page(
      res,
      400,
      'Sign-in error',
      `<p class="error" role="alert">${escapeMarkup(error)}</p><p>${escapeMarkup(detail)}</p>`,
    );
  }

  /** Serves the request if it is for the hosted sign-in; false for anything else. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /oauth2/authorize':
        req.resume();
        await authorize(req, res, url.searchParams);
        return true;
      case 'POST /login':
      case 'POST /login/mfa':
      case 'POST /login/new-password':
        await login(res, await readForm(req), url.pathname);
        return true;
      case 'POST /oauth2/token':
        await token(req, res);
        return true;
      case 'GET /oauth2/userInfo':
      case 'POST /oauth2/userInfo':
        userInfo(req, res);
        return true;
      case 'POST /oauth2/revoke':
        await revoke(req, res);
        return true;
      case 'GET /logout':
        logout(req, res, url.searchParams);
        return true;
      case 'GET /error':
        req.resume();
        errorPage(res, url.searchParams);
        return true;
      default:
        return false;
    }
  }

  return { handle };
}
