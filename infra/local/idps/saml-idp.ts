// A SAML 2.0 identity provider for one machine, built with samlify: it signs login responses with
// its own key and certificate, as Okta or Entra ID would, for Plinth's SAML connections to verify.
// Tests also ask it for responses that are wrong on purpose (another audience, expired, unsigned,
// signed by another key) to see each one refused.
import { randomUUID } from 'node:crypto';
import * as samlify from 'samlify';
import { generate } from 'selfsigned';
import { escapeMarkup } from '../../../libs/http/markup.ts';

// samlify refuses to parse without a schema validator. This IdP only builds responses (it never
// trusts what it parses), so it accepts any document; Plinth's own verification is node-saml's.
samlify.setSchemaValidator({ validate: () => Promise.resolve('not validated: local test IdP') });

export interface SamlIdpKeys {
  privateKeyPem: string;
  certificatePem: string;
}

/** A fresh RSA-2048 key and a self-signed certificate valid for `days`. */
export async function newSamlIdpKeys(commonName = 'plinth-local-saml-idp', days = 365): Promise<SamlIdpKeys> {
  const notAfter = new Date(Date.now() + days * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
  });
  return { privateKeyPem: pems.private, certificatePem: pems.cert };
}

export interface SamlUser {
  email: string;
  name?: string;
  groups?: readonly string[];
}

/** What a response says, each part changeable to build a bad one. */
export interface LoginResponseOptions {
  /** The SP: its entity id (the audience) and ACS URL (destination and recipient). */
  sp: { entityId: string; acsUrl: string };
  user: SamlUser;
  /** The AuthnRequest's ID for SP-initiated sign-in; absent for IdP-initiated. */
  inResponseTo?: string | undefined;
  /** @default the SP's entity id */
  audience?: string;
  /** When the assertion was issued. @default now */
  issuedAt?: Date;
  /** How long it stays valid. @default 5 minutes */
  validForMs?: number;
  /** @default `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport` */
  authnContextClassRef?: string;
  /** @default true: the assertion is signed */
  signAssertion?: boolean;
  /** Sign with this key instead of the IdP's own (a forged response). */
  signWith?: SamlIdpKeys;
  /** @default the IdP's entity id */
  issuer?: string;
  /** @default success */
  statusCode?: string;
}

export interface LocalSamlIdp {
  entityId: string;
  ssoUrl: string;
  certificatePem: string;
  /** The IdP's metadata XML, as an admin downloads it from their IdP. */
  metadata(): string;
  /** A base64 `SAMLResponse` for the HTTP-POST binding. */
  loginResponse(options: LoginResponseOptions): Promise<string>;
}

const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const passwordContext = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

function attributeStatement(user: SamlUser): string {
  const attribute = (name: string, values: readonly string[]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeMarkup(v)}</saml:AttributeValue>`)
      .join('')}</saml:Attribute>`;
  return `<saml:AttributeStatement>${[
    attribute('email', [user.email]),
    ...(user.name ? [attribute('name', [user.name])] : []),
    ...(user.groups && user.groups.length > 0 ? [attribute('groups', user.groups)] : []),
  ].join('')}</saml:AttributeStatement>`;
}

export function createLocalSamlIdp(input: {
  entityId: string;
  ssoUrl: string;
  keys: SamlIdpKeys;
}): LocalSamlIdp {
  const idpWith = (keys: SamlIdpKeys) =>
    samlify.IdentityProvider({
      entityID: input.entityId,
      privateKey: keys.privateKeyPem,
      signingCert: keys.certificatePem,
      singleSignOnService: [
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: input.ssoUrl },
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: input.ssoUrl },
      ],
      singleLogoutService: [
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${input.ssoUrl}/logout` },
      ],
      nameIDFormat: [emailFormat],
      wantAuthnRequestsSigned: false,
    });
  const idp = idpWith(input.keys);

  async function loginResponse(options: LoginResponseOptions): Promise<string> {
    const issuedAt = options.issuedAt ?? new Date();
    const until = new Date(issuedAt.getTime() + (options.validForMs ?? 5 * 60 * 1000));
    const sp = samlify.ServiceProvider({
      entityID: options.sp.entityId,
      assertionConsumerService: [
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: options.sp.acsUrl },
      ],
      wantAssertionsSigned: options.signAssertion ?? true,
    });
    const id = `_${randomUUID()}`;
    const inResponseTo = options.inResponseTo ?? '';
    const values: Record<string, string> = {
      ID: id,
      AssertionID: `_${randomUUID()}`,
      Destination: options.sp.acsUrl,
      SubjectRecipient: options.sp.acsUrl,
      Audience: options.audience ?? options.sp.entityId,
      Issuer: options.issuer ?? input.entityId,
      IssueInstant: issuedAt.toISOString(),
      ConditionsNotBefore: issuedAt.toISOString(),
      ConditionsNotOnOrAfter: until.toISOString(),
      SubjectConfirmationDataNotOnOrAfter: until.toISOString(),
      NameIDFormat: emailFormat,
      NameID: escapeMarkup(options.user.email),
      InResponseTo: inResponseTo,
      StatusCode: options.statusCode ?? success,
      AuthnStatement: `<saml:AuthnStatement AuthnInstant="${issuedAt.toISOString()}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>${escapeMarkup(options.authnContextClassRef ?? passwordContext)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
      AttributeStatement: attributeStatement(options.user),
    };
    const signer = options.signWith ? idpWith(options.signWith) : idp;
    const built = (await signer.createLoginResponse(
      sp,
      { extract: { request: { id: inResponseTo } } },
      'post',
      { email: options.user.email },
      {
        customTagReplacement: (template: string) => {
          let xml = template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
          // An IdP-initiated response answers no request: it carries no InResponseTo at all.
          if (options.inResponseTo === undefined) xml = xml.replaceAll(' InResponseTo=""', '');
          return { id, context: xml };
        },
      },
    )) as { context: string };
    return built.context;
  }

  return {
    entityId: input.entityId,
    ssoUrl: input.ssoUrl,
    certificatePem: input.keys.certificatePem,
    metadata: () => idp.getMetadata(),
    loginResponse,
  };
}
