// SAML sign-in through Plinth and the local SAML IdP as a browser does it, over HTTP: the app's start,
// the IdP's sign-in page and its auto-submitting form to the ACS, then the code exchange. Each hop is
// timed, and said to be Plinth's or the IdP's, for the benchmark.
import { createHash, randomBytes } from 'node:crypto';

const decode = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The page's form: its action and hidden inputs, as a browser would submit it. */
export function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1]!,
      decode(m[2]!),
    ]),
  );
  return { action: decode(action ?? ''), fields };
}

export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

export interface SamlSignInTarget {
  apiUrl: string;
  idpUrl: string;
  redirectUri: string;
}

export interface SamlSignInResult {
  /** Where the browser lands at the app: its callback with `code` and `state`, or `error`. */
  landed: URL;
  verifier: string;
  /** Milliseconds spent in Plinth's hops and in the IdP's. */
  plinthMs: number;
  idpMs: number;
}

export async function signInThroughSamlIdp(
  target: SamlSignInTarget,
  person: { email: string; password: string },
  state = 'xyz',
): Promise<SamlSignInResult> {
  let plinthMs = 0;
  let idpMs = 0;
  const timed = async <T>(side: 'plinth' | 'idp', hop: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await hop();
    if (side === 'plinth') plinthMs += performance.now() - started;
    else idpMs += performance.now() - started;
    return result;
  };
  const verifier = randomBytes(32).toString('base64url');
  const start = new URL(`${target.apiUrl}/v1/sso/authorize`);
  start.search = new URLSearchParams({
    email: person.email,
    redirect_uri: target.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
  }).toString();
  const toIdp = await timed('plinth', () => fetch(start, { redirect: 'manual' }));
  if (toIdp.status !== 302) throw new Error(`the start answered ${toIdp.status}: ${await toIdp.text()}`);
  const login = formOf(await timed('idp', async () => (await fetch(toIdp.headers.get('location')!)).text()));
  const autoPost = formOf(
    await timed('idp', async () =>
      (
        await postForm(new URL(login.action, target.idpUrl).toString(), { ...login.fields, ...person })
      ).text(),
    ),
  );
  const back = await timed('plinth', () => postForm(autoPost.action, autoPost.fields));
  if (back.status !== 302) throw new Error(`the ACS answered ${back.status}: ${await back.text()}`);
  return { landed: new URL(back.headers.get('location')!), verifier, plinthMs, idpMs };
}
