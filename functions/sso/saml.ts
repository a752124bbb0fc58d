// Verifying a SAML 2.0 response from a tenant's identity provider. node-saml (a maintained SP
// library) checks the XML signature against the connection's certificates, the audience, the
// issuer and the validity window; Plinth adds what a broker must: the response answers the request
// it sent (or IdP-initiated sign-in is on for the connection and the assertion is fresh), and no
// assertion is accepted twice. Every refusal has a code an admin can read in the connection's log.
import { SAML, SamlStatusError, ValidateInResponseTo } from '@node-saml/node-saml';

export interface SamlConnectionSettings {
  idpEntityId: string;
  /** PEM certificates the IdP signs with; any of them verifies (rollover). */
  idpCertificates: readonly string[];
  /** Plinth's entity id for this connection: the audience the IdP must name. */
  spEntityId: string;
  /** Where the IdP posts responses: the destination and recipient it must name. */
  acsUrl: string;
  /** Whether an unsolicited (IdP-initiated) response is accepted. Off unless the tenant turns it on. */
  allowIdpInitiated: boolean;
}

export type SamlRefusalCode =
  | 'malformed'
  | 'invalid_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_destination'
  | 'expired'
  | 'not_yet_valid'
  | 'in_response_to_mismatch'
  | 'unsolicited'
  | 'replayed'
  | 'idp_error';

export class SamlRefusal extends Error {
  constructor(
    readonly code: SamlRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** Remembers assertion ids until they expire; `false` when the id was seen before (a replay). */
export interface AssertionLedger {
  remember(assertionId: string, until: Date): Promise<boolean>;
}

export interface SamlProfile {
  nameId: string;
  email: string | undefined;
  /** Every attribute the assertion carries, each as a list of values. */
  attributes: Record<string, string[]>;
  sessionIndex: string | undefined;
  /** The IdP's statement of how the user authenticated, e.g. `…:ac:classes:PasswordProtectedTransport`. */
  authnContextClassRef: string | undefined;
  assertionId: string;
  notOnOrAfter: Date;
}

/** Cognito accepts an IdP-initiated assertion for six minutes; so does Plinth. */
export const maxUnsolicitedAgeMs = 6 * 60 * 1000;
const clockSkewMs = 60 * 1000;
const successStatus = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** node-saml's error messages, read into a refusal code (the message itself goes to the log). */
function refusalOf(error: unknown): SamlRefusal {
  if (error instanceof SamlRefusal) return error;
  if (error instanceof SamlStatusError)
    return new SamlRefusal('idp_error', `the IdP answered ${error.message}`);
  const message = error instanceof Error ? error.message : String(error);
  const rules: Array<[RegExp, SamlRefusalCode]> = [
    [/signature/i, 'invalid_signature'],
    [/issuer/i, 'wrong_issuer'],
    [/audience/i, 'wrong_audience'],
    [/recipient|destination/i, 'wrong_destination'],
    [/NotBefore|not yet valid/i, 'not_yet_valid'],
    [/expired|NotOnOrAfter|too old|max.*age/i, 'expired'],
    [/InResponseTo/i, 'in_response_to_mismatch'],
  ];
  const code = rules.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed';
  return new SamlRefusal(code, message);
}

const attributeOf = (xml: string, element: string, attribute: string) =>
  new RegExp(`<(?:\\w+:)?${element}\\b[^>]*\\s${attribute}="([^"]+)"`).exec(xml)?.[1];

function asValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(asValues);
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

export async function verifySamlResponse(
  settings: SamlConnectionSettings,
  samlResponse: string,
  context: { expectedRequestId?: string | undefined; ledger: AssertionLedger },
): Promise<SamlProfile> {
  const saml = new SAML({
    callbackUrl: settings.acsUrl,
    issuer: settings.spEntityId,
    audience: settings.spEntityId,
    idpIssuer: settings.idpEntityId,
    idpCert: [...settings.idpCertificates],
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: clockSkewMs,
    // Plinth matches InResponseTo against the sign-in it started, below.
    validateInResponseTo: ValidateInResponseTo.never,
    ...(context.expectedRequestId === undefined ? { maxAssertionAgeMs: maxUnsolicitedAgeMs } : {}),
  });
  let profile;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    throw refusalOf(error);
  }
  if (!profile) throw new SamlRefusal('malformed', 'the response holds no assertion');
  const assertionXml = profile.getAssertionXml?.() ?? '';

  // node-saml 5.1 checks the issuer of logout messages only, and takes an assertion whatever the
  // response's status says: both are checked here, the issuer on the signed assertion.
  const responseXml = profile.getSamlResponseXml?.() ?? '';
  const status = attributeOf(responseXml, 'StatusCode', 'Value');
  if (status !== successStatus) {
    throw new SamlRefusal('idp_error', `the IdP answered ${status ?? 'no status'}, not success`);
  }
  const issuer = /<(?:\w+:)?Issuer\b[^>]*>([^<]+)</.exec(assertionXml)?.[1]?.trim();
  if (issuer !== settings.idpEntityId) {
    throw new SamlRefusal(
      'wrong_issuer',
      `the assertion was issued by ${issuer ?? 'nobody'}, not ${settings.idpEntityId}`,
    );
  }

  const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : undefined;
  if (context.expectedRequestId !== undefined) {
    if (inResponseTo !== context.expectedRequestId) {
      throw new SamlRefusal(
        'in_response_to_mismatch',
        inResponseTo
          ? `the response answers request ${inResponseTo}, not this sign-in's ${context.expectedRequestId}`
          : 'the response answers no request, but this sign-in sent one',
      );
    }
  } else {
    if (!settings.allowIdpInitiated) {
      throw new SamlRefusal('unsolicited', 'IdP-initiated sign-in is off for this connection');
    }
    if (inResponseTo !== undefined) {
      throw new SamlRefusal(
        'in_response_to_mismatch',
        `the response answers request ${inResponseTo}, which Plinth did not send`,
      );
    }
  }

  const assertionId = attributeOf(assertionXml, 'Assertion', 'ID');
  const notOnOrAfter = attributeOf(assertionXml, 'Conditions', 'NotOnOrAfter');
  if (!assertionId || !notOnOrAfter) {
    throw new SamlRefusal('malformed', 'the assertion has no ID or no Conditions NotOnOrAfter');
  }
  const until = new Date(Date.parse(notOnOrAfter) + clockSkewMs);
  if (!(await context.ledger.remember(assertionId, until))) {
    throw new SamlRefusal('replayed', `assertion ${assertionId} was already used`);
  }

  const raw = (profile.attributes ?? {}) as Record<string, unknown>;
  const attributes = Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, asValues(value)]));
  return {
    nameId: profile.nameID,
    email: typeof profile.email === 'string' ? profile.email : attributes.email?.[0],
    attributes,
    sessionIndex: profile.sessionIndex,
    authnContextClassRef: /<(?:\w+:)?AuthnContextClassRef>([^<]+)</.exec(assertionXml)?.[1],
    assertionId,
    notOnOrAfter: new Date(notOnOrAfter),
  };
}

/**
 * The URL that sends the browser to the IdP with an AuthnRequest (HTTP-Redirect binding) whose ID is
 * `requestId`, so the response can be matched to this sign-in. No authentication context is asked
 * for: the IdP then says how the person really signed in, which is the MFA evidence Plinth reads.
 */
export async function samlSignInUrl(
  settings: Pick<SamlConnectionSettings, 'idpCertificates' | 'spEntityId' | 'acsUrl'> & { ssoUrl: string },
  requestId: string,
  relayState: string,
): Promise<string> {
  const saml = new SAML({
    entryPoint: settings.ssoUrl,
    callbackUrl: settings.acsUrl,
    issuer: settings.spEntityId,
    idpCert: [...settings.idpCertificates],
    generateUniqueId: () => requestId,
    disableRequestedAuthnContext: true,
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  });
  return saml.getAuthorizeUrlAsync(relayState, undefined, {});
}

/** AuthnContext classes that name a second factor (SAML 2.0 authn context, REFEDS, Microsoft). */
const multiFactorContexts = new Set([
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  'https://refeds.org/profile/mfa',
  'http://schemas.microsoft.com/claims/multipleauthn',
]);

/** Entra ID lists how the person signed in here; `multipleauthn` means MFA. */
const microsoftMethodsAttribute = 'http://schemas.microsoft.com/claims/authnmethodsreferences';

/** Whether the IdP reported a second factor: the AuthnContext class, or Entra's methods attribute. */
export function samlMfaEvidence(profile: Pick<SamlProfile, 'authnContextClassRef' | 'attributes'>): boolean {
  if (profile.authnContextClassRef && multiFactorContexts.has(profile.authnContextClassRef)) return true;
  return (profile.attributes[microsoftMethodsAttribute] ?? []).some((m) => multiFactorContexts.has(m));
}
