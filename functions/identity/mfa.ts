// TOTP enrolment of the signed-in user: the user pool holds the secret and checks the codes; the
// table records that the user has MFA, which the token trigger then puts in their next tokens.
import type { UserItem } from '../../libs/data/identity-entities.ts';
import { Problem } from '../../libs/http/problem.ts';
import type { IdentityDeps, SignedInUser } from './context.ts';

/** The name authenticator apps show for the account. */
const issuer = 'Plinth';

/** The caller's own access token: the user pool's user calls act on whoever it was issued to. */
export function bearerToken(headers: Record<string, string | undefined>): string {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) throw new Problem(401, 'unauthorized', 'A user access token is required.');
  return match[1];
}

/** The `otpauth://` URI authenticator apps read from a QR code. */
export function otpauthUri(email: string, secretCode: string): string {
  const label = encodeURIComponent(`${issuer}:${email}`);
  const query = new URLSearchParams({
    secret: secretCode,
    issuer,
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}

export async function startTotpEnrolment(deps: IdentityDeps, me: SignedInUser, accessToken: string) {
  const user = await deps.store.requireUser(me.tenantId, me.userId);
  const secretCode = await deps.userPool.associateTotp(accessToken);
  return { secretCode, otpauthUri: otpauthUri(user.email, secretCode) };
}

export async function verifyTotpEnrolment(
  deps: IdentityDeps,
  me: SignedInUser,
  accessToken: string,
  input: { code: string; deviceName?: string | undefined },
): Promise<UserItem> {
  const user = await deps.store.requireUser(me.tenantId, me.userId);
  await deps.userPool.verifyTotp(accessToken, input.code, input.deviceName);
  await deps.userPool.preferTotp(me.userId);
  return deps.store.markMfaEnrolled(user, { type: 'user', id: me.userId });
}
