// The local identity issuer through the SDK's own Cognito client over HTTP, with its access tokens
// verified by aws-jwt-verify from the JWKS it serves, as the authorizer does on one machine.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreAuthenticationTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { generate } from 'otplib';
import {
  startLocalIdentity,
  type LocalIdentity,
  type TriggerName,
} from '../../../infra/local/identity/index.ts';
import { silentLog } from '../../../infra/local/log.ts';
import { createConfirmedUser } from '../../support/pool-users.ts';

const region = 'us-east-1';
const password = 'Correct-horse-9';
const dir = mkdtempSync(join(tmpdir(), 'plinth-identity-'));

/** Added to the issuer's clock, to reach the next TOTP step without waiting for it. */
let clockOffsetMs = 0;
const now = () => Date.now() + clockOffsetMs;

type TriggerHandler = (event: unknown) => Promise<unknown>;
let triggers: Partial<Record<TriggerName, TriggerHandler>> = {};
const invokeTrigger = (name: TriggerName, event: unknown) => triggers[name]?.(event);

let identity: LocalIdentity;
let cognito: CognitoIdentityProviderClient;

function clientFor(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function accessTokenVerifier(of: LocalIdentity) {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: of.userPoolId,
    tokenUse: 'access',
    clientId: [of.clientIds.firstParty, of.clientIds.console],
  });
  const response = await fetch(of.jwksUrl);
  verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);
  return verifier;
}

function claimsOf(jwt: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt!.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

let emails = 0;
async function createUser(tenantId = 'ten_1'): Promise<{ email: string; sub: string }> {
  const email = `user${++emails}@example.com`;
  const { sub } = await createConfirmedUser(cognito, identity.userPoolId, {
    email,
    password,
    tenantId,
    name: 'Ada',
  });
  return { email, sub };
}

async function signIn(username: string, secret = password, client = cognito, on = identity) {
  return client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: on.clientIds.firstParty,
      AuthParameters: { USERNAME: username, PASSWORD: secret },
    }),
  );
}

function refresh(result: AuthenticationResultType | undefined, client = cognito, on = identity) {
  return client.send(
    new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: on.clientIds.firstParty,
      AuthParameters: { REFRESH_TOKEN: result!.RefreshToken! },
    }),
  );
}

beforeAll(async () => {
  identity = await startLocalIdentity({
    stateFile: join(dir, 'identity.json'),
    region,
    invokeTrigger,
    log: silentLog,
    now,
  });
  cognito = clientFor(identity.endpoint);
});

afterEach(() => {
  triggers = {};
  clockOffsetMs = 0;
});

afterAll(async () => {
  cognito.destroy();
  await identity.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local identity issuer', () => {
  it('has a Cognito-shaped pool id, AWS-form issuer and 26-character client ids', () => {
    expect(identity.userPoolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(identity.issuer).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${identity.userPoolId}`);
    expect(identity.clientIds.firstParty).toMatch(/^[a-z0-9]{26}$/);
    expect(identity.clientIds.console).not.toBe(identity.clientIds.firstParty);
  });

  it('signs a user in by email, in any case, with an access token aws-jwt-verify accepts', async () => {
    const { email, sub } = await createUser();
    const { AuthenticationResult: result } = await signIn(email.toUpperCase());
    const claims = await (await accessTokenVerifier(identity)).verify(result!.AccessToken!);
    expect(claims).toMatchObject({
      sub,
      username: sub,
      iss: identity.issuer,
      client_id: identity.clientIds.firstParty,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claimsOf(result!.IdToken)).toMatchObject({
      aud: identity.clientIds.firstParty,
      email,
      email_verified: true,
      'custom:tenant_id': 'ten_1',
      origin_jti: claims.origin_jti,
    });
    expect(result).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    expect(result!.RefreshToken).toMatch(/^[\w-]{64}$/);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const { email } = await createUser();
    await expect(signIn(email, 'Wrong-password-1')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(signIn('nobody@example.com')).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('refuses sign-in and refresh to a disabled user', async () => {
    const { email } = await createUser();
    const { AuthenticationResult: result } = await signIn(email);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: identity.userPoolId, Username: email }));
    const disabled = { name: 'NotAuthorizedException', message: 'User is disabled.' };
    await expect(signIn(email)).rejects.toMatchObject(disabled);
    await expect(refresh(result)).rejects.toMatchObject(disabled);
  });

  it('refreshes tokens of the same sign-in: same origin_jti and auth_time, a new jti', async () => {
    const { email } = await createUser();
    const { AuthenticationResult: first } = await signIn(email);
    const { AuthenticationResult: refreshed } = await refresh(first);
    const before = claimsOf(first!.AccessToken);
    const after = await (await accessTokenVerifier(identity)).verify(refreshed!.AccessToken!);
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.jti).not.toBe(before.jti);
    expect(refreshed!.RefreshToken).toBeUndefined();
  });

  it('global sign-out revokes the refresh token and the access token for Cognito’s own API', async () => {
    const { email } = await createUser();
    const { AuthenticationResult: result } = await signIn(email);
    await cognito.send(new GlobalSignOutCommand({ AccessToken: result!.AccessToken }));
    await expect(refresh(result)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has been revoked',
    });
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: result!.AccessToken })),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
  });

  it('admin global sign-out and RevokeToken kill refresh tokens too', async () => {
    const { email } = await createUser();
    const { AuthenticationResult: a } = await signIn(email);
    const { AuthenticationResult: b } = await signIn(email);
    await cognito.send(
      new RevokeTokenCommand({ Token: a!.RefreshToken, ClientId: identity.clientIds.firstParty }),
    );
    await expect(refresh(a)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(refresh(b)).resolves.toBeDefined();
    await cognito.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: identity.userPoolId, Username: email }),
    );
    await expect(refresh(b)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('enrols TOTP, then challenges sign-in with SOFTWARE_TOKEN_MFA and takes each code once', async () => {
    const { email, sub } = await createUser();
    const { AuthenticationResult: first } = await signIn(email);
    const accessToken = first!.AccessToken;
    const { SecretCode: secret } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    const code = (at: number) => generate({ secret: secret!, epoch: Math.floor(at / 1000) });
    await expect(
      cognito.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: '12345' })),
    ).rejects.toMatchObject({ name: 'EnableSoftwareTokenMFAException' });
    const verified = await cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: await code(now()) }),
    );
    expect(verified.Status).toBe('SUCCESS');
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const user = await cognito.send(new GetUserCommand({ AccessToken: accessToken }));
    expect(user.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);

    clockOffsetMs = 30_000;
    const challenged = await signIn(email);
    expect(challenged.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(challenged.AuthenticationResult).toBeUndefined();
    const answer = (session: string | undefined, mfaCode: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: identity.clientIds.firstParty,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: mfaCode },
        }),
      );
    const good = await code(now());
    const wrong = `${good.slice(0, 5)}${(Number(good[5]) + 1) % 10}`;
    await expect(answer(challenged.Session, wrong)).rejects.toMatchObject({ name: 'CodeMismatchException' });
    const { AuthenticationResult: result } = await answer(challenged.Session, good);
    expect((await (await accessTokenVerifier(identity)).verify(result!.AccessToken!)).sub).toBe(sub);

    const again = await signIn(email);
    await expect(answer(again.Session, good)).rejects.toMatchObject({
      name: 'ExpiredCodeException',
      message: 'Your software token has already been used once.',
    });
  });

  it('puts the claims of the preTokenGeneration V2 response into the access and id tokens', async () => {
    const events: PreTokenGenerationV2TriggerEvent[] = [];
    triggers.preTokenGeneration = (input) => {
      const event = input as PreTokenGenerationV2TriggerEvent;
      events.push(structuredClone(event));
      const claims = {
        tenant_id: event.request.userAttributes['custom:tenant_id']!,
        roles: 'owner',
        mfa: 'false',
      };
      event.response.claimsAndScopeOverrideDetails = {
        accessTokenGeneration: { claimsToAddOrOverride: claims },
        idTokenGeneration: { claimsToAddOrOverride: claims, claimsToSuppress: ['name'] },
      };
      return Promise.resolve(event);
    };
    const { email, sub } = await createUser('ten_42');
    const { AuthenticationResult: result } = await signIn(email);
    const verified = await (await accessTokenVerifier(identity)).verify(result!.AccessToken!);
    expect(verified).toMatchObject({ tenant_id: 'ten_42', roles: 'owner', mfa: 'false' });
    expect(claimsOf(result!.IdToken)).toMatchObject({ tenant_id: 'ten_42', roles: 'owner' });
    expect(claimsOf(result!.IdToken)).not.toHaveProperty('name');
    await refresh(result);
    expect(events.map((e) => e.triggerSource)).toEqual([
      'TokenGeneration_Authentication',
      'TokenGeneration_RefreshTokens',
    ]);
    expect(events[0]).toMatchObject({
      version: '2',
      userPoolId: identity.userPoolId,
      userName: sub,
      callerContext: { clientId: identity.clientIds.firstParty },
      request: {
        userAttributes: { sub, email, 'custom:tenant_id': 'ten_42', 'cognito:user_status': 'CONFIRMED' },
        scopes: ['aws.cognito.signin.user.admin'],
      },
    });
  });

  it('hands ClientMetadata only to the triggers Cognito documents for each call', async () => {
    const seen: { trigger: string; metadata: unknown }[] = [];
    const record =
      (trigger: TriggerName, key: 'validationData' | 'clientMetadata') =>
      (input: unknown): Promise<unknown> => {
        const event = input as { triggerSource: string; request: Record<string, unknown> };
        seen.push({ trigger: `${trigger}:${event.triggerSource}`, metadata: event.request[key] });
        return Promise.resolve(input);
      };
    triggers.preAuthentication = record('preAuthentication', 'validationData');
    triggers.postAuthentication = record('postAuthentication', 'clientMetadata');
    triggers.preTokenGeneration = record('preTokenGeneration', 'clientMetadata');
    const { email } = await createUser();
    const { AuthenticationResult: first } = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: identity.clientIds.firstParty,
        AuthParameters: { USERNAME: email, PASSWORD: password },
        ClientMetadata: { from: 'initiate' },
      }),
    );
    // InitiateAuth's metadata reaches pre authentication alone, as validationData.
    expect(seen).toEqual([
      { trigger: 'preAuthentication:PreAuthentication_Authentication', metadata: { from: 'initiate' } },
      { trigger: 'postAuthentication:PostAuthentication_Authentication', metadata: undefined },
      { trigger: 'preTokenGeneration:TokenGeneration_Authentication', metadata: undefined },
    ]);
    seen.length = 0;
    await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: identity.clientIds.firstParty,
        AuthParameters: { REFRESH_TOKEN: first!.RefreshToken! },
        ClientMetadata: { from: 'refresh-auth' },
      }),
    );
    expect(seen).toEqual([
      { trigger: 'preTokenGeneration:TokenGeneration_RefreshTokens', metadata: undefined },
    ]);
    seen.length = 0;
    const { AuthenticationResult: refreshed } = await cognito.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: identity.clientIds.firstParty,
        RefreshToken: first!.RefreshToken!,
        ClientMetadata: { from: 'get-tokens' },
      }),
    );
    expect(seen).toEqual([
      { trigger: 'preTokenGeneration:TokenGeneration_RefreshTokens', metadata: { from: 'get-tokens' } },
    ]);
    expect(claimsOf(refreshed!.AccessToken).origin_jti).toBe(claimsOf(first!.AccessToken).origin_jti);
    expect(refreshed!.RefreshToken).toBeUndefined();
  });

  it('refuses GetTokensFromRefreshToken for another client, a revoked token and an unknown client', async () => {
    const { email } = await createUser();
    const { AuthenticationResult: first } = await signIn(email);
    const getTokens = (clientId: string) =>
      cognito.send(
        new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: first!.RefreshToken! }),
      );
    await expect(getTokens(identity.clientIds.console)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    await expect(getTokens('unknownclient000000000000000')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await cognito.send(
      new RevokeTokenCommand({ ClientId: identity.clientIds.firstParty, Token: first!.RefreshToken! }),
    );
    await expect(getTokens(identity.clientIds.firstParty)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });

  it('fails sign-in with NotAuthorizedException when preAuthentication throws', async () => {
    const events: PreAuthenticationTriggerEvent[] = [];
    triggers.preAuthentication = (event) => {
      events.push(event as PreAuthenticationTriggerEvent);
      return Promise.reject(new Error('User is deactivated'));
    };
    const { email } = await createUser();
    await expect(signIn(email)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'PreAuthentication failed with error User is deactivated.',
    });
    expect(events[0]).toMatchObject({
      version: '1',
      triggerSource: 'PreAuthentication_Authentication',
      request: { userAttributes: { email, 'custom:tenant_id': 'ten_1' } },
    });
  });

  it('enforces the password policy and unique emails, and finds users by email', async () => {
    const { email, sub } = await createUser();
    await expect(
      cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: identity.userPoolId,
          Username: email,
          Password: 'alllowercase1!',
          Permanent: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    await expect(
      cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: identity.userPoolId,
          Username: email.toUpperCase(),
          MessageAction: 'SUPPRESS',
        }),
      ),
    ).rejects.toMatchObject({ name: 'UsernameExistsException' });
    const listed = await cognito.send(
      new ListUsersCommand({ UserPoolId: identity.userPoolId, Filter: `email = "${email}"` }),
    );
    expect(listed.Users?.map((u) => u.Username)).toEqual([sub]);
    const fetched = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: identity.userPoolId, Username: sub }),
    );
    expect(fetched).toMatchObject({ Username: sub, Enabled: true, UserStatus: 'CONFIRMED' });
  });

  it('makes a user created with a temporary password choose a new one before tokens', async () => {
    const email = `temporary${++emails}@example.com`;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: identity.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: 'Temporary-pass-1',
      }),
    );
    const challenged = await signIn(email, 'Temporary-pass-1');
    expect(challenged.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const respond = (newPassword: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: identity.clientIds.firstParty,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenged.Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
        }),
      );
    await expect(respond('weak')).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    const { AuthenticationResult: result } = await respond(password);
    expect(result?.AccessToken).toBeDefined();
    await expect(signIn(email)).resolves.toHaveProperty('AuthenticationResult');
  });

  it('answers an unknown app client with ResourceNotFoundException', async () => {
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: 'nosuchclient',
          AuthParameters: { USERNAME: 'a@example.com', PASSWORD: password },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('the local identity issuer across a restart', () => {
  it('keeps its pool, users, signing key and refresh tokens in the state file', async () => {
    const stateFile = join(dir, 'restart.json');
    const first = await startLocalIdentity({ stateFile, region, invokeTrigger, log: silentLog });
    const client = clientFor(first.endpoint);
    const email = 'restart@example.com';
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: first.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: password,
      }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: first.userPoolId,
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );
    const { AuthenticationResult: before } = await signIn(email, password, client, first);
    client.destroy();
    await first.stop();

    const stored = readFileSync(stateFile, 'utf8');
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(before!.RefreshToken);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await startLocalIdentity({ stateFile, region, invokeTrigger, log: silentLog });
    const restarted = clientFor(second.endpoint);
    try {
      expect(second.userPoolId).toBe(first.userPoolId);
      expect(second.clientIds).toEqual(first.clientIds);
      const verifier = await accessTokenVerifier(second);
      await expect(verifier.verify(before!.AccessToken!)).resolves.toMatchObject({
        username: claimsOf(before!.AccessToken).username,
      });
      await expect(refresh(before, restarted, second)).resolves.toBeDefined();
      await expect(signIn(email, password, restarted, second)).resolves.toHaveProperty(
        'AuthenticationResult',
      );
    } finally {
      restarted.destroy();
      await second.stop();
    }
  });
});
