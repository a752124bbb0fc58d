// The local SAML identity provider over HTTP, as a tenant's IT would run Okta or Entra ID: its
// metadata at `/saml/metadata`, SP-initiated sign-in at `/saml/sso` (HTTP-Redirect binding: the
// AuthnRequest names the SP and its ACS URL), IdP-initiated sign-in at `/saml/start`, a sign-in
// page for its test users, and the signed response posted to the ACS URL by an auto-submitting form.
// Its key persists in a state file so connections made from its metadata survive restarts.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import * as z from 'zod';
import { closeServer, listenOnLoopback, readRequestBody } from '../service-http.ts';
import { readJsonFile, writeJsonFile } from '../state-files.ts';
import { createLocalSamlIdp, newSamlIdpKeys, type LocalSamlIdp, type SamlUser } from './saml-idp.ts';
import { escapeMarkup } from '../../../libs/http/markup.ts';

export interface SamlTestUser extends SamlUser {
  password: string;
}

/** The IdP's test users; `npm start` prints them. */
export const defaultSamlUsers: readonly SamlTestUser[] = [
  {
    email: 'ada@acme.test',
    name: 'Ada Lovelace',
    groups: ['engineering', 'admins'],
    password: 'Saml-Test-1',
  },
  { email: 'bob@acme.test', name: 'Bob Babbage', groups: ['engineering'], password: 'Saml-Test-1' },
];

export interface LocalSamlServer extends Pick<
  LocalSamlIdp,
  'entityId' | 'ssoUrl' | 'certificatePem' | 'metadata'
> {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  metadataUrl: string;
  users: readonly SamlTestUser[];
  stop(): Promise<void>;
}

const keysSchema = z.object({ privateKeyPem: z.string(), certificatePem: z.string() });
const pendingMs = 10 * 60 * 1000;

interface PendingSignIn {
  sp: { entityId: string; acsUrl: string };
  /** The AuthnRequest's ID; absent for IdP-initiated sign-in. */
  requestId: string | undefined;
  relayState: string | undefined;
  expiresAt: number;
}

function html(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(title)}</title></head>
<body><h1>${escapeMarkup(title)}</h1>${body}</body></html>`);
}

/** What an HTTP-Redirect AuthnRequest asks: who the SP is, where to answer, and the request's ID. */
export function readAuthnRequest(samlRequest: string): { id: string; issuer: string; acsUrl: string } {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const request = document.documentElement;
  const issuer = request?.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]
    ?.textContent;
  const id = request?.getAttribute('ID');
  const acsUrl = request?.getAttribute('AssertionConsumerServiceURL');
  if (!request || request.localName !== 'AuthnRequest' || !id || !issuer || !acsUrl) {
    throw new Error('not an AuthnRequest with an ID, an Issuer and an AssertionConsumerServiceURL');
  }
  return { id, issuer: issuer.trim(), acsUrl };
}

export async function startLocalSamlServer(options: {
  port?: number;
  /** Where the signing key persists (mode 0600). @default a new key each start */
  stateFile?: string;
  users?: readonly SamlTestUser[];
}): Promise<LocalSamlServer> {
  const users = options.users ?? defaultSamlUsers;
  const stored = options.stateFile ? readJsonFile(options.stateFile, keysSchema) : undefined;
  const keys = stored ?? (await newSamlIdpKeys('plinth-local-saml-idp', 3650));
  if (!stored && options.stateFile) writeJsonFile(options.stateFile, keys, { mode: 0o600 });
  const pending = new Map<string, PendingSignIn>();
  // The IdP's URLs name the port, known once the server listens; no request arrives before that.
  const started: { idp?: LocalSamlIdp } = {};
  const idpOf = () => started.idp!;

  function signInPage(res: ServerResponse, id: string, error?: string): void {
    html(
      res,
      error ? 401 : 200,
      'Local SAML IdP: sign in',
      `${error ? `<p role="alert">${escapeMarkup(error)}</p>` : ''}<form method="post" action="/saml/login">
<input type="hidden" name="pending" value="${escapeMarkup(id)}">
<label>Email <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<button type="submit">Sign in</button></form>`,
    );
  }

  function open(res: ServerResponse, signIn: Omit<PendingSignIn, 'expiresAt'>): void {
    const now = Date.now();
    for (const [key, value] of pending) if (value.expiresAt <= now) pending.delete(key);
    const id = randomBytes(16).toString('base64url');
    pending.set(id, { ...signIn, expiresAt: now + pendingMs });
    signInPage(res, id);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readRequestBody(req, 16 * 1024)).toString('utf8'));
    const id = form.get('pending') ?? '';
    const signIn = pending.get(id);
    if (!signIn || signIn.expiresAt <= Date.now()) {
      html(res, 400, 'Sign-in expired', '<p>Start again from the application.</p>');
      return;
    }
    const user = users.find((u) => u.email === form.get('email')?.toLowerCase());
    if (!user || user.password !== form.get('password')) {
      signInPage(res, id, 'Wrong email or password.');
      return;
    }
    pending.delete(id);
    const response = await idpOf().loginResponse({ sp: signIn.sp, user, inResponseTo: signIn.requestId });
    html(
      res,
      200,
      'Signing you in…',
      `<form method="post" action="${escapeMarkup(signIn.sp.acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${escapeMarkup(response)}">
${signIn.relayState !== undefined ? `<input type="hidden" name="RelayState" value="${escapeMarkup(signIn.relayState)}">` : ''}
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit()</script>`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (route === 'POST /saml/login') {
      await login(req, res);
      return;
    }
    req.resume();
    if (route === 'GET /saml/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
      res.end(idpOf().metadata());
      return;
    }
    if (route === 'GET /saml/sso') {
      let request;
      try {
        request = readAuthnRequest(url.searchParams.get('SAMLRequest') ?? '');
      } catch (error) {
        html(res, 400, 'Bad SAML request', `<p>${escapeMarkup((error as Error).message)}</p>`);
        return;
      }
      open(res, {
        sp: { entityId: request.issuer, acsUrl: request.acsUrl },
        requestId: request.id,
        relayState: url.searchParams.get('RelayState') ?? undefined,
      });
      return;
    }
    if (route === 'GET /saml/start') {
      const entityId = url.searchParams.get('sp');
      const acsUrl = url.searchParams.get('acs');
      if (!entityId || !acsUrl) {
        html(res, 400, 'IdP-initiated sign-in', '<p>Give the SP as ?sp=<entity id>&acs=<ACS URL>.</p>');
        return;
      }
      open(res, {
        sp: { entityId, acsUrl },
        requestId: undefined,
        relayState: url.searchParams.get('RelayState') ?? undefined,
      });
      return;
    }
    html(
      res,
      404,
      'Not found',
      '<p>The local SAML IdP serves /saml/metadata, /saml/sso and /saml/start.</p>',
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) html(res, 500, 'Error', '<p>The local SAML IdP failed this request.</p>');
      else res.end();
    });
  });
  const port = await listenOnLoopback(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  const idp = (started.idp = createLocalSamlIdp({
    entityId: `${url}/saml`,
    ssoUrl: `${url}/saml/sso`,
    keys,
  }));
  return {
    url,
    entityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    certificatePem: idp.certificatePem,
    metadata: () => idp.metadata(),
    metadataUrl: `${url}/saml/metadata`,
    users,
    stop: () => closeServer(server),
  };
}
