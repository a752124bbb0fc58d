// The SAML side of a sign-in: the AuthnRequest a new sign-in sends, and the posted response verified
// (saml.ts) and read through the connection's attribute mapping.
import { randomBytes } from 'node:crypto';
import type { ConnectionItem, SignInItem, SsoEntities } from './entities.ts';
import { createAssertionLedger } from './ledger.ts';
import { mappedRoles, SignInRefusal, type MappedProfile } from './mapped-profile.ts';
import { serviceProvider } from './present.ts';
import {
  SamlRefusal,
  samlMfaEvidence,
  samlSignInUrl,
  verifySamlResponse,
  type SamlConnectionSettings,
  type SamlProfile,
} from './saml.ts';

/** What a SAML connection's item says of the IdP and Plinth's side of it. */
export function samlSettingsOf(
  connection: ConnectionItem,
  apiBase: string,
): SamlConnectionSettings & { ssoUrl: string } {
  const { idpEntityId, ssoUrl, certificates } = connection;
  if (connection.type !== 'saml' || !idpEntityId || !ssoUrl || !certificates) {
    throw new Error(`connection ${connection.connectionId} has no SAML IdP settings`);
  }
  const sp = serviceProvider(connection.connectionId, apiBase);
  return {
    idpEntityId,
    ssoUrl,
    idpCertificates: certificates.map((c) => c.pem),
    spEntityId: sp.entityId,
    acsUrl: sp.acsUrl,
    allowIdpInitiated: connection.allowIdpInitiated,
  };
}

export function mapSamlProfile(connection: ConnectionItem, profile: SamlProfile): MappedProfile {
  const mapping = connection.attributeMapping;
  const nameIdEmail = /^[^@\s]+@[^@\s]+$/.test(profile.nameId) ? profile.nameId : undefined;
  const email = (profile.attributes[mapping.email]?.[0] ?? profile.email ?? nameIdEmail)
    ?.trim()
    .toLowerCase();
  const groups = profile.attributes[mapping.groups] ?? [];
  return {
    nameId: profile.nameId,
    email,
    name: profile.attributes[mapping.name]?.[0]?.trim() || undefined,
    groups,
    roles: mappedRoles(connection, groups),
    mfa: samlMfaEvidence(profile),
    attributes: profile.attributes,
  };
}

export function createSamlSignIn(deps: { entities: Pick<SsoEntities, 'samlAssertion'> }) {
  /** The IdP URL with a new AuthnRequest; the sign-in remembers its id for the response's InResponseTo. */
  async function begin(connection: ConnectionItem, signInId: string, apiBase: string) {
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const url = await samlSignInUrl(samlSettingsOf(connection, apiBase), requestId, signInId);
    return { url, remember: { requestId } };
  }

  async function verify(
    connection: ConnectionItem,
    signIn: SignInItem | undefined,
    samlResponse: string,
    apiBase: string,
  ): Promise<MappedProfile> {
    try {
      const profile = await verifySamlResponse(samlSettingsOf(connection, apiBase), samlResponse, {
        expectedRequestId: signIn?.requestId,
        ledger: createAssertionLedger(deps.entities, connection),
      });
      return mapSamlProfile(connection, profile);
    } catch (error) {
      if (error instanceof SamlRefusal) throw new SignInRefusal(error.code, error.message);
      throw error;
    }
  }

  return { begin, verify };
}
