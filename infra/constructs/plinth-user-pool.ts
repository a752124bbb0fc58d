// The region's Cognito user pool: email as username, optional TOTP MFA, threat protection, an
// immutable tenant_id no client can write, the console's and first-party clients, a hosted domain
// and the Lambda triggers the manifests declare. Tenants' SAML/OIDC providers are added at run time.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { TriggerDeclaration } from '../../libs/manifest/types.ts';
import { consoleOAuthScopes } from '../console-client.ts';

export type TriggerKind = TriggerDeclaration['trigger'];

export interface PlinthUserPoolProps {
  /**
   * Prefix of the Cognito hosted domain (`<prefix>.auth.<region>.amazoncognito.com`). Unique per
   * region across all AWS accounts; Cognito refuses prefixes containing aws, amazon or cognito.
   */
  readonly domainPrefix: string;
  /** @default - the Cognito prefix domain only */
  readonly customDomain?: {
    readonly domainName: string;
    /** Must be in us-east-1, as Cognito serves custom domains through CloudFront. */
    readonly certificate: acm.ICertificate;
  };
  /** Where the console is served, e.g. `https://console.example.com`: its sign-in returns there. */
  readonly consoleOrigin: string;
  /** @default - no triggers */
  readonly triggers?: ReadonlyArray<{ readonly trigger: TriggerKind; readonly function: lambda.IFunction }>;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The custom attribute that ties a user to their tenant; set once by Plinth, read by every token. */
export const tenantIdAttribute = 'tenant_id';

const operations: Record<TriggerKind, cognito.UserPoolOperation> = {
  preTokenGeneration: cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
  preAuthentication: cognito.UserPoolOperation.PRE_AUTHENTICATION,
  postAuthentication: cognito.UserPoolOperation.POST_AUTHENTICATION,
  customMessage: cognito.UserPoolOperation.CUSTOM_MESSAGE,
  defineAuthChallenge: cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE,
  createAuthChallenge: cognito.UserPoolOperation.CREATE_AUTH_CHALLENGE,
  verifyAuthChallengeResponse: cognito.UserPoolOperation.VERIFY_AUTH_CHALLENGE_RESPONSE,
};

/** Tokens Plinth's API accepts live an hour; revocation reaches them through the authorizer's session check. */
const accessTokenValidity = Duration.hours(1);

export class PlinthUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  /** Signs in with USER_PASSWORD_AUTH, SRP or CUSTOM_AUTH and refreshes: the CLI, SDKs, tests and Plinth's SSO. */
  readonly firstPartyClient: cognito.UserPoolClient;
  /** The hosted console: authorization code grant with PKCE, through the hosted domain. */
  readonly consoleClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: PlinthUserPoolProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Users are invited or provisioned by their tenant, never self-registered.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed email replaces the sign-in address only once the new one is verified.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        [tenantIdAttribute]: new cognito.StringAttribute({ mutable: false, minLen: 1, maxLen: 64 }),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus includes Essentials, which Pre Token Generation V2 (claims in access tokens) needs.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is per tenant: the pool offers TOTP to everyone and the authorizer refuses callers without MFA where their tenant requires it.',
    });

    for (const { trigger, function: fn } of props.triggers ?? []) {
      this.userPool.addTrigger(
        operations[trigger],
        fn,
        trigger === 'preTokenGeneration' ? cognito.LambdaVersion.V2_0 : undefined,
      );
    }

    // Clients read the tenant but write nothing Plinth owns: tenant_id, roles and names change
    // through Plinth's API (admin calls), never with a user's own token.
    const readAttributes = new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
      .withCustomAttributes(tenantIdAttribute);
    const writeAttributes = new cognito.ClientAttributes().withStandardAttributes({ email: true });
    const common = {
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity,
      idTokenValidity: accessTokenValidity,
      readAttributes,
      writeAttributes,
    };

    this.firstPartyClient = this.userPool.addClient('FirstPartyClient', {
      ...common,
      userPoolClientName: 'first-party',
      // Custom: Plinth's own sign-ins (SSO) prove a user to the pool through the challenge triggers.
      authFlows: { userPassword: true, userSrp: true, custom: true },
      disableOAuth: true,
    });

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      ...common,
      userPoolClientName: 'console',
      authFlows: { userSrp: true },
      // A public client (no secret) with the code grant: Cognito requires PKCE from it.
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: consoleOAuthScopes.map((scope) => cognito.OAuthScope.custom(scope)),
        callbackUrls: [props.consoleOrigin],
        logoutUrls: [props.consoleOrigin],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });

    this.domain = this.userPool.addDomain(
      'Domain',
      props.customDomain
        ? { customDomain: props.customDomain }
        : { cognitoDomain: { domainPrefix: props.domainPrefix } },
    );
  }

  /** App client ids, the first-party client first (the order USER_POOL_CLIENT_IDS promises). */
  get clientIds(): string[] {
    return [this.firstPartyClient.userPoolClientId, this.consoleClient.userPoolClientId];
  }
}
