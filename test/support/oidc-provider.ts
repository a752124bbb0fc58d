// A real OpenID provider (oidc-provider) in this process on loopback, for SSO tests: one confidential
// client whose redirect URIs a test registers per connection, people whose tokens carry email, name,
// groups and the `amr` the test chooses at login, and a browser (fetch with a cookie jar) that goes
// through its login. A tampering token endpoint re-signs the provider's ID token with its own key
// after changing a claim, to play a provider that misbehaves.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';

export interface ProviderUser {
  email: string;
  name?: string;
  groups?: string[];
  emailVerified?: boolean;
}

export interface LocalOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Lets the client send the browser back to this URI (one per connection). */
  allowRedirect(uri: string): void;
  /** Who the next login is, and how they authenticated. */
  login(user: ProviderUser, options?: { amr?: string[]; acr?: string }): void;
  /** Follows an authorization URL through the login until the provider sends the browser to `until`. */
  browse(url: string, until: string): Promise<URL>;
  /** A token endpoint that passes the provider's answer on with `change` applied to the ID token. */
  tamperingTokenEndpoint(
    change: (claims: Record<string, unknown>) => void,
    options?: { foreignKey?: boolean },
  ): Promise<string>;
  close(): Promise<void>;
}

const clientId = 'plinth-test-client';
const clientSecret = 'plinth-test-client-secret-0123456789';

/** The provider's storage: a map per model, as its memory adapter keeps it. */
function memoryAdapter(clients: () => AdapterPayload): (name: string) => Adapter {
  const stores = new Map<string, Map<string, AdapterPayload>>();
  return (name) => {
    const store = stores.get(name) ?? new Map<string, AdapterPayload>();
    stores.set(name, store);
    const find = (id: string) => (name === 'Client' && id === clientId ? clients() : store.get(id));
    return {
      upsert: (id, payload) => {
        store.set(id, payload);
        return Promise.resolve();
      },
      find: (id) => Promise.resolve(find(id)),
      findByUserCode: () => Promise.resolve(undefined),
      findByUid: (uid) => Promise.resolve([...store.values()].find((p) => p.uid === uid)),
      consume: (id) => {
        const payload = store.get(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      },
      destroy: (id) => {
        store.delete(id);
        return Promise.resolve();
      },
      revokeByGrantId: (grantId) => {
        for (const [id, payload] of store) if (payload.grantId === grantId) store.delete(id);
        return Promise.resolve();
      },
    };
  };
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function jws(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export async function startOidcProvider(): Promise<LocalOidcProvider> {
  const kid = 'test-key-1';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const redirectUris: string[] = [];
  let next: { user: ProviderUser; amr: string[]; acr: string | undefined } = {
    user: { email: 'nobody@example.test' },
    amr: ['pwd'],
    acr: undefined,
  };
  const accounts = new Map<string, ProviderUser>();

  const server = http.createServer();
  const issuer = await listen(server);
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(() => ({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
    // amr and acr with `openid`, so every ID token says how the person signed in (as Entra ID and Okta do).
    claims: {
      amr: null,
      acr: null,
      auth_time: null,
      sid: null,
      openid: ['sub', 'amr', 'acr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    scopes: ['openid', 'email', 'profile'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const user = accounts.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: user.emailVerified ?? true,
          ...(user.name ? { name: user.name } : {}),
          groups: user.groups ?? [],
        }),
      };
    },
  });
  const callback = provider.callback();

  // The login page: whoever the test chose signs in, and consents to what the client asked for.
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) {
      void callback(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const accountId = `acct-${next.user.email}`;
      accounts.set(accountId, next.user);
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        {
          login: { accountId, amr: next.amr, ...(next.acr ? { acr: next.acr } : {}) },
          consent: { grantId },
        },
        { mergeWithLastSubmission: false },
      );
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  const tamperers: http.Server[] = [];

  return {
    issuer,
    clientId,
    clientSecret,
    allowRedirect: (uri) => void redirectUris.push(uri),
    login(user, options = {}) {
      next = { user, amr: options.amr ?? ['pwd'], acr: options.acr };
    },
    async browse(url, until) {
      const jar = new Map<string, string>();
      let current = new URL(url);
      for (let hop = 0; hop < 10; hop++) {
        if (current.href.startsWith(until)) return current;
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
        const res = await fetch(current, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        for (const line of res.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const at = pair.indexOf('=');
          jar.set(pair.slice(0, at), pair.slice(at + 1));
        }
        const location = res.headers.get('location');
        if (!location) throw new Error(`${current.href} answered ${res.status}: ${await res.text()}`);
        current = new URL(location, current);
      }
      throw new Error(`no redirect to ${until}`);
    },
    async tamperingTokenEndpoint(change, options = {}) {
      const tamperer = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          void (async () => {
            const upstream = await fetch(`${issuer}/token`, {
              method: 'POST',
              headers: {
                'content-type': req.headers['content-type'] ?? '',
                authorization: req.headers.authorization ?? '',
              },
              body: Buffer.concat(chunks),
            });
            const body = (await upstream.json()) as { id_token?: string };
            if (body.id_token) {
              const claims = JSON.parse(
                Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString('utf8'),
              ) as Record<string, unknown>;
              change(claims);
              body.id_token = jws(claims, options.foreignKey ? foreign : privateKey, kid);
            }
            res.writeHead(upstream.status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          })();
        });
      });
      tamperers.push(tamperer);
      return `${await listen(tamperer)}/token`;
    },
    async close() {
      for (const one of [server, ...tamperers]) {
        await new Promise<void>((resolve) => {
          one.closeAllConnections();
          one.close(() => resolve());
        });
      }
    },
  };
}
