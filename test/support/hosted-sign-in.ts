// Driving a hosted sign-in (the local user pool's, as a Cognito domain's) as a browser and an app
// would: a cookie jar that follows no redirect by itself, PKCE pairs, and the sign-in page's form.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** A browser on one hosted sign-in: keeps its cookie, follows nothing by itself. */
export class Browser {
  cookie = '';

  constructor(readonly baseUrl: string) {}

  async get(url: string): Promise<Response> {
    return this.remember(await fetch(url, { redirect: 'manual', headers: { cookie: this.cookie } }));
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.remember(
      await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookie },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  private remember(res: Response): Response {
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return res;
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The hidden fields of the form on a sign-in page. */
export async function formOf(res: Response): Promise<Record<string, string>> {
  const html = await res.text();
  return Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );
}

/** The query of the redirect a response must be. */
export function redirectParams(res: Response): URLSearchParams {
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!).searchParams;
}

export async function exchange(
  baseUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
