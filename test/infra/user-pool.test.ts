// The regional user pool: email sign-in with a tenant attribute nobody can rewrite, optional TOTP,
// the console's and first-party clients, the hosted domain, and the triggers the manifests declare.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { beforeAll, describe, expect, test } from 'vitest';
import { contexts } from '../../functions/manifests.ts';
import { defineContext } from '../../libs/manifest/types.ts';
import { PlinthUserPool } from '../../infra/constructs/plinth-user-pool.ts';
import config from '../../infra/plinth.config.ts';
import { userPoolDomainPrefix } from '../../infra/stacks/names.ts';
import {
  buildPlinth,
  configuredRegions,
  regionalTemplates,
  logicalIdOf,
  regionalStacks,
  resourcesOfType,
} from './support.ts';

const regional = regionalTemplates('data');
const template = (region: string): Template => regional.template(region);

beforeAll(() => configuredRegions.forEach(template));

type Props = Record<string, unknown>;

function client(t: Template, name: string): Props {
  const found = Object.values(resourcesOfType(t, 'AWS::Cognito::UserPoolClient')).find(
    (c) => c.Properties?.ClientName === name,
  );
  if (!found?.Properties) throw new Error(`no app client named ${name}`);
  return found.Properties;
}

describe.each(configuredRegions)('user pool in %s', (region) => {
  test('signs in by email, case-insensitively, with no self sign-up and an immutable tenant_id', () => {
    template(region).hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        DeletionProtection: 'ACTIVE',
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'tenant_id', AttributeDataType: 'String', Mutable: false }),
        ]),
      }),
    });
  });

  test('offers TOTP but no SMS, requires strong passwords and recovers accounts by email only', () => {
    template(region).hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      // Pre Token Generation V2 needs Essentials or Plus; Plus adds threat protection.
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  test('every app client reads tenant_id and none can write it; none has a secret; both revoke tokens', () => {
    const clients = Object.values(resourcesOfType(template(region), 'AWS::Cognito::UserPoolClient'));
    expect(clients.map((c) => c.Properties?.ClientName).sort()).toEqual(['console', 'first-party']);
    for (const { Properties: props } of clients) {
      expect(props?.ReadAttributes).toContain('custom:tenant_id');
      expect(props?.WriteAttributes).toBeDefined();
      expect(props?.WriteAttributes).not.toContain('custom:tenant_id');
      expect(props).toMatchObject({ GenerateSecret: false, EnableTokenRevocation: true });
    }
  });

  test('the first-party client signs in with a password, SRP or custom challenges and refreshes, with one-hour access tokens', () => {
    const props = client(template(region), 'first-party');
    expect([...(props.ExplicitAuthFlows as string[])].sort()).toEqual([
      'ALLOW_CUSTOM_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_USER_SRP_AUTH',
    ]);
    expect(props).toMatchObject({
      AccessTokenValidity: 60,
      TokenValidityUnits: expect.objectContaining({ AccessToken: 'minutes' }) as unknown,
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  test('the console client uses the authorization code grant (PKCE, as it has no secret) back to the local console', () => {
    const props = client(template(region), 'console');
    expect(props).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining([
        'openid',
        'email',
        'aws.cognito.signin.user.admin',
      ]) as unknown,
      CallbackURLs: ['http://localhost:5173'],
      LogoutURLs: ['http://localhost:5173'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(props.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  test('has a hosted Cognito domain named after the deployment, region and account', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', [`plinth-${region}-`, { Ref: 'AWS::AccountId' }]] },
      UserPoolId: { Ref: logicalIdOf(t, 'AWS::Cognito::UserPool', 'UsersUserPool') },
    });
  });

  test('tells the operator the pool, its clients and the hosted sign-in URL', () => {
    const outputs = template(region).findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['UserPoolId', 'UserPoolClientIds', 'HostedSignInUrl']),
    );
  });

  test('every trigger the manifests declare invokes its function in this stack, preTokenGeneration as V2', () => {
    const t = template(region);
    const pool = Object.values(resourcesOfType(t, 'AWS::Cognito::UserPool'))[0];
    const lambdaConfig = (pool?.Properties?.LambdaConfig ?? {}) as Record<string, unknown>;
    const declared = regional.plinth().topology.triggers;
    expect(Object.keys(lambdaConfig)).toHaveLength(declared.length);
    for (const trigger of declared) {
      const fnId = logicalIdOf(t, 'AWS::Lambda::Function', `${trigger.functionId.replace(/-/g, '')}Function`);
      const arn = { 'Fn::GetAtt': [fnId, 'Arn'] };
      if (trigger.declaration.trigger === 'preTokenGeneration') {
        expect(lambdaConfig.PreTokenGenerationConfig).toEqual({ LambdaArn: arn, LambdaVersion: 'V2_0' });
      } else {
        const key =
          trigger.declaration.trigger.charAt(0).toUpperCase() + trigger.declaration.trigger.slice(1);
        expect(lambdaConfig[key], key).toEqual(arn);
      }
    }
  });
});

describe('a deployment with its own triggers and console domain', () => {
  const signIn = defineContext({
    name: 'signin',
    description: 'Puts claims into tokens and gates sign-in',
    entry: 'functions/signin/handler.ts',
    routes: [],
    triggers: [
      { trigger: 'preTokenGeneration', consumer: 'tokenClaims' },
      { trigger: 'preAuthentication', consumer: 'gate' },
      { trigger: 'customMessage', consumer: 'messages' },
    ],
    access: { table: 'read', userPool: 'admin' },
  });
  const region = 'eu-central-1';
  let t: Template;

  beforeAll(() => {
    const app = buildPlinth({
      config: { ...config, domain: { api: 'api.example.com', console: 'console.example.com' } },
      // The real identity context declares triggers too; one pool takes one function per trigger.
      contexts: [...contexts.filter((c) => (c.triggers ?? []).length === 0), signIn],
    });
    t = Template.fromStack(regionalStacks(app, region).data);
  });

  test('wires Pre Token Generation as the V2 event and the other triggers as declared', () => {
    const fn = (id: string): { 'Fn::GetAtt': [string, string] } => ({
      'Fn::GetAtt': [logicalIdOf(t, 'AWS::Lambda::Function', `${id}Function`), 'Arn'],
    });
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: { LambdaArn: fn('signintokenClaims'), LambdaVersion: 'V2_0' },
        PreAuthentication: fn('signingate'),
        CustomMessage: fn('signinmessages'),
      },
    });
    for (const id of ['signintokenClaims', 'signingate', 'signinmessages']) {
      t.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: fn(id),
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::Cognito::UserPool', 'UsersUserPool'), 'Arn'] },
      });
    }
  });

  test('trigger functions answer within five seconds and are not told the pool, which would reference itself', () => {
    const functions = Object.entries(resourcesOfType(t, 'AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('signin'),
    );
    expect(functions).toHaveLength(3);
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Timeout, id).toBe(5);
      const variables = (fn.Properties?.Environment as { Variables: Props }).Variables;
      expect(variables.TABLE_NAME, id).toEqual({
        Ref: logicalIdOf(t, 'AWS::DynamoDB::GlobalTable', 'Table'),
      });
      expect(variables.USER_POOL_ID, id).toBeUndefined();
    }
  });

  test('the console signs in and out at its configured domain', () => {
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'console',
      CallbackURLs: ['https://console.example.com'],
      LogoutURLs: ['https://console.example.com'],
    });
  });
});

test('a custom sign-in domain replaces the Cognito prefix domain, with its certificate', () => {
  const stack = new Stack(new App(), 'Pool', { env: { region: 'eu-central-1' } });
  const certificate = acm.Certificate.fromCertificateArn(
    stack,
    'Certificate',
    'arn:aws:acm:us-east-1:111111111111:certificate/abc',
  );
  new PlinthUserPool(stack, 'Users', {
    domainPrefix: 'unused',
    customDomain: { domainName: 'auth.example.com', certificate },
    consoleOrigin: 'https://console.example.com',
  });
  Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
    Domain: 'auth.example.com',
    CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' },
  });
});

test('a deployment name Cognito would refuse in a hosted domain fails synth, naming it', () => {
  expect(() => userPoolDomainPrefix({ name: 'my-aws-saas' }, 'eu-central-1', '111111111111')).toThrow(
    /deployment name "my-aws-saas" contains "aws"/,
  );
});
