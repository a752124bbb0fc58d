// The local OIDC provider's decisions, apart from HTTP: which redirect URIs count as loopback, and
// what a sign-in form's email, password and one-time code add up to.
import { describe, expect, it } from 'vitest';
import {
  checkSignIn,
  defaultOidcUsers,
  isLoopbackRedirect,
  testOneTimeCode,
} from '../../../infra/local/idps/oidc-idp.ts';

describe('isLoopbackRedirect', () => {
  it.each([
    'http://127.0.0.1:4000/v1/sso/oidc/con_1/callback',
    'http://localhost/callback',
    'https://localhost:8443/any/path?x=1',
    'http://[::1]:3000/',
  ])('admits %s', (uri) => {
    expect(isLoopbackRedirect(uri)).toBe(true);
  });

  it.each([
    'https://app.example/callback',
    'http://127.0.0.1.nip.io/callback',
    'http://localhost.example/callback',
    'http://127.0.0.1@evil.example/callback',
    'http://127.0.0.1:4000/callback#x',
    'custom://127.0.0.1/callback',
    'not a url',
  ])('refuses %s', (uri) => {
    expect(isLoopbackRedirect(uri)).toBe(false);
  });
});

describe('checkSignIn', () => {
  const ada = { email: 'Ada@Acme.test ', password: 'Oidc-Test-1' };

  it("signs in with the password alone as amr ['pwd'], whatever the email's case", () => {
    expect(checkSignIn(defaultOidcUsers, { ...ada, code: '' })).toMatchObject({ ok: true, amr: ['pwd'] });
  });

  it("adds 'otp' for the test one-time code, and refuses any other code", () => {
    expect(checkSignIn(defaultOidcUsers, { ...ada, code: ` ${testOneTimeCode} ` })).toMatchObject({
      ok: true,
      amr: ['pwd', 'otp'],
    });
    expect(checkSignIn(defaultOidcUsers, { ...ada, code: '654321' })).toEqual({
      ok: false,
      detail: 'Wrong one-time code.',
    });
  });

  it('refuses a wrong password and an unknown email alike', () => {
    const refused = { ok: false, detail: 'Wrong email or password.' };
    expect(checkSignIn(defaultOidcUsers, { ...ada, password: 'Saml-Test-1' })).toEqual(refused);
    expect(checkSignIn(defaultOidcUsers, { email: 'eve@acme.test', password: 'Oidc-Test-1' })).toEqual(
      refused,
    );
  });
});
