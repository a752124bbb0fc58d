// Whether a tenant requires a user to sign in through SSO: its policy says `required` and the user's
// email is in a domain the tenant verified. One check for every path a password could take: password
// and SRP sign-in (the pre authentication trigger) and every call with a password session's token
// (the authorizer), so an existing password session stops working the moment the policy is set.
import type { IdentitySettingsItem } from '../data/identity-entities.ts';

/** What a user is told when their password is refused for this reason: the way in. */
export const ssoRequiredMessage =
  'Your organization signs in with SSO: choose "Sign in with SSO" and enter your work email.';

export function emailDomainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

export async function ssoRequiredFor(
  settings: Pick<IdentitySettingsItem, 'ssoPolicy'> | undefined,
  user: { tenantId: string; email: string },
  isVerifiedDomain: (tenantId: string, domain: string) => Promise<boolean>,
): Promise<boolean> {
  if (settings?.ssoPolicy !== 'required') return false;
  return isVerifiedDomain(user.tenantId, emailDomainOf(user.email));
}
