// What every protocol's answer is read into before the shared sign-in steps decide on it: the person
// as the connection's mapping reads them, the roles their groups map to, and the refusal type.
import type { ConnectionItem } from './entities.ts';

/** What the person and app see of a completed test or sign-in: the IdP's answer as the mapping reads it. */
export interface MappedProfile {
  /** The SAML NameID, or the OIDC subject. */
  nameId: string;
  email: string | undefined;
  name: string | undefined;
  groups: string[];
  roles: string[];
  mfa: boolean;
  attributes: Record<string, string[]>;
}

/** A refused sign-in: its code and message go to the connection's failure log and to the app. */
export class SignInRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly email?: string,
  ) {
    super(message);
  }
}

/** The roles a person's groups map to; the connection's default roles when none is mapped. */
export function mappedRoles(connection: ConnectionItem, groups: readonly string[]): string[] {
  const roles = new Set<string>();
  for (const entry of connection.roleMapping ?? []) {
    if (groups.includes(entry.group)) for (const role of entry.roles) roles.add(role);
  }
  const chosen = roles.size > 0 ? [...roles] : (connection.defaultRoles ?? []);
  return chosen.length > 0 ? chosen : ['member'];
}
