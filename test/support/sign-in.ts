// Signing in the way a first-party client does: USER_PASSWORD_AUTH against the user pool (local or
// Cognito), answering the TOTP challenge with a code from an authenticator, for the access token;
// and, on one machine, getting there from an invitation in the local mail outbox.
import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { generate } from 'otplib';
import { expect } from 'vitest';
import { eventually } from './eventually.ts';
import type { createApi } from './http.ts';

export interface UserPoolTarget {
  /** The user pool's endpoint (`runtime.identity.endpoint` on one machine). */
  endpoint: string;
  /** The first-party app client. */
  clientId: string;
  region: string;
}

const periodSeconds = 30;

/**
 * An authenticator app for one TOTP secret. The pool accepts each time step's code once (also across
 * enrolment and the next sign-in) and one step of drift either way, so every code handed out is for
 * a later step than the last: the current one, else the next, else it waits for the clock.
 */
export class Authenticator {
  private lastStep = -1;

  constructor(readonly secret: string) {}

  async nextCode(): Promise<string> {
    for (;;) {
      const current = Math.floor(Date.now() / 1000 / periodSeconds);
      const step = Math.max(current, this.lastStep + 1);
      if (step <= current + 1) {
        this.lastStep = step;
        return generate({ secret: this.secret, epoch: step * periodSeconds });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

export interface SignInInput {
  email: string;
  password: string;
  /** Answers the SOFTWARE_TOKEN_MFA challenge; without it a challenge fails the sign-in. */
  authenticator?: Authenticator;
}

function poolClient(target: UserPoolTarget): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Signs in and returns the pool's tokens: access, id and refresh. */
export async function signInForTokens(
  target: UserPoolTarget,
  input: SignInInput,
): Promise<AuthenticationResultType> {
  const client = poolClient(target);
  try {
    const started = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: target.clientId,
        AuthParameters: { USERNAME: input.email, PASSWORD: input.password },
      }),
    );
    if (started.AuthenticationResult?.AccessToken) return started.AuthenticationResult;
    if (started.ChallengeName !== 'SOFTWARE_TOKEN_MFA') {
      throw new Error(`sign-in of ${input.email} ended in an unexpected challenge: ${started.ChallengeName}`);
    }
    if (!input.authenticator) {
      throw new Error(
        `sign-in of ${input.email} needs a SOFTWARE_TOKEN_MFA code and no authenticator was given`,
      );
    }
    const answered = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: target.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: started.Session,
        ChallengeResponses: {
          USERNAME: input.email,
          SOFTWARE_TOKEN_MFA_CODE: await input.authenticator.nextCode(),
        },
      }),
    );
    if (!answered.AuthenticationResult?.AccessToken) {
      throw new Error(`the MFA answer for ${input.email} returned no tokens`);
    }
    return answered.AuthenticationResult;
  } finally {
    client.destroy();
  }
}

/** Signs in and returns the access token, the credential Plinth's API takes as a Bearer token. */
export async function signIn(target: UserPoolTarget, input: SignInInput): Promise<string> {
  return (await signInForTokens(target, input)).AccessToken!;
}

/**
 * GetTokensFromRefreshToken with `refreshToken`: the refresh whose `clientMetadata` reaches the Pre
 * Token Generation trigger (REFRESH_TOKEN_AUTH's does not, on Cognito or here).
 */
export async function refreshTokens(
  target: UserPoolTarget,
  refreshToken: string,
  clientMetadata?: Record<string, string>,
): Promise<AuthenticationResultType | undefined> {
  const client = poolClient(target);
  try {
    const refreshed = await client.send(
      new GetTokensFromRefreshTokenCommand({
        ClientId: target.clientId,
        RefreshToken: refreshToken,
        ...(clientMetadata ? { ClientMetadata: clientMetadata } : {}),
      }),
    );
    return refreshed.AuthenticationResult;
  } finally {
    client.destroy();
  }
}

/** The invitation token (`pit_…`) in an invitation mail's text. */
export function invitationTokenIn(text: string | undefined): string | undefined {
  return /\bpit_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/.exec(text ?? '')?.[0];
}

/**
 * The token of the newest invitation mailed to `email`, read from the local outbox over HTTP
 * (`GET /local/mail`), waiting for the mail to be sent; `except` skips tokens already seen.
 */
export function mailedInvitationToken(
  api: ReturnType<typeof createApi>,
  email: string,
  except: readonly string[] = [],
): Promise<string> {
  return eventually(async () => {
    const outbox = await api<Array<{ text?: string }>>('GET', `/local/mail?to=${encodeURIComponent(email)}`);
    const token = invitationTokenIn(outbox.body[0]?.text);
    return token && !except.includes(token) ? token : undefined;
  }, `an invitation mailed to ${email}`);
}

export interface SignedInUser {
  userId: string;
  email: string;
  /** The access token of the sign-in after accepting. */
  token: string;
}

/**
 * The steps that give a test signed-in people over HTTP: a tenant created by the platform admin with
 * an owner, invitations accepted from the outbox with `password`, and signing in.
 */
export function invitationSteps(input: {
  api: ReturnType<typeof createApi>;
  pool: UserPoolTarget;
  adminApiKey: string;
  region: string;
  password: string;
}) {
  const { api, pool, password } = input;

  async function acceptMailedInvitation(email: string, name: string): Promise<SignedInUser> {
    const token = await mailedInvitationToken(api, email);
    const accepted = await api<{ user: { id: string } }>('POST', '/v1/invitations/accept', {
      body: { token, name, password },
    });
    expect(accepted.status).toBe(201);
    return { userId: accepted.body.user.id, email, token: await signIn(pool, { email, password }) };
  }

  /** A tenant with slug `slug` whose owner, `owner@<slug>.test`, has accepted and signed in. */
  async function tenantWithOwner(slug: string): Promise<{ tenantId: string; owner: SignedInUser }> {
    const email = `owner@${slug}.test`;
    const created = await api('POST', '/v1/platform/tenants', {
      token: input.adminApiKey,
      body: { name: `Tenant ${slug}`, slug, region: input.region, owner: { email } },
    });
    expect(created.status).toBe(201);
    return { tenantId: created.body.id as string, owner: await acceptMailedInvitation(email, 'Owner') };
  }

  /** `inviter` invites `email` with `roles`; the invited person accepts and signs in. */
  async function invitedUser(inviter: SignedInUser, email: string, roles: string[]): Promise<SignedInUser> {
    const invited = await api('POST', '/v1/invitations', { token: inviter.token, body: { email, roles } });
    expect(invited.status).toBe(201);
    return acceptMailedInvitation(email, email.split('@')[0]!);
  }

  return { acceptMailedInvitation, tenantWithOwner, invitedUser };
}
