// What CUSTOM_AUTH refuses on the local user pool, with Cognito's errors: sessions that are wrong,
// spent or expired, missing triggers, app clients without the flow, disabled users, and trigger
// answers Cognito would not take.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminDisableUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreAuthenticationTriggerEvent } from 'aws-lambda';
import {
  createCaptchaThenMascot,
  CustomAuthPool,
  defineOneChallenge,
  echo,
} from '../../support/custom-auth.ts';

const pool = new CustomAuthPool();
beforeAll(() => pool.start());
afterEach(() => pool.reset());
afterAll(() => pool.stop());

const expiredSession = {
  name: 'NotAuthorizedException',
  message: 'Invalid session for the user, session is expired.',
};
const notConfigured = {
  name: 'InvalidParameterException',
  message: 'Custom auth lambda trigger is not configured for the user pool.',
};
const unrecognizable = { name: 'InvalidLambdaResponseException' };

describe('CUSTOM_AUTH on the local user pool refuses', () => {
  it('a session it did not issue, and one older than three minutes', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    await expect(pool.answer('not-a-session', email, '5')).rejects.toMatchObject(expiredSession);
    const challenged = await pool.initiate(email);
    pool.clockOffsetMs = 3 * 60 * 1000;
    await expect(pool.answer(challenged.Session, email, '5')).rejects.toMatchObject(expiredSession);
    pool.clockOffsetMs = 0;
    const fresh = await pool.initiate(email);
    pool.clockOffsetMs = 3 * 60 * 1000 - 1000;
    await expect(pool.answer(fresh.Session, email, '5')).resolves.toHaveProperty('AuthenticationResult');
  });

  it('a session answered for another user or through another app client', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    const other = await pool.createUser();
    const challenged = await pool.initiate(email);
    const invalid = { name: 'NotAuthorizedException', message: 'Invalid session for the user.' };
    await expect(pool.answer(challenged.Session, other.email, '5')).rejects.toMatchObject(invalid);
    const consoleClient = pool.identity.clientIds.console;
    await expect(pool.answer(challenged.Session, email, '5', undefined, consoleClient)).rejects.toMatchObject(
      invalid,
    );
    await expect(pool.answer(challenged.Session, email, '5')).resolves.toHaveProperty('AuthenticationResult');
  });

  it('the flow when the pool has no define, create or verify trigger', async () => {
    const { email } = await pool.createUser();
    await expect(pool.initiate(email)).rejects.toMatchObject(notConfigured);
    pool.triggers.defineAuthChallenge = defineOneChallenge;
    await expect(pool.initiate(email)).rejects.toMatchObject(notConfigured);
    pool.triggers.createAuthChallenge = createCaptchaThenMascot;
    const challenged = await pool.initiate(email);
    await expect(pool.answer(challenged.Session, email, '5')).rejects.toMatchObject(notConfigured);
  });

  it('CUSTOM_AUTH and USER_PASSWORD_AUTH on a client without them, as the CDK configures the console', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    const consoleClient = pool.identity.clientIds.console;
    await expect(pool.initiate(email, undefined, consoleClient)).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'CUSTOM_AUTH flow not enabled for this client',
    });
    await expect(
      pool.cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: consoleClient,
          AuthParameters: { USERNAME: email, PASSWORD: 'Correct-horse-9' },
        }),
      ),
    ).rejects.toMatchObject({ message: 'USER_PASSWORD_AUTH flow not enabled for this client' });
    const admin = (
      ClientId: string,
      AuthFlow: 'CUSTOM_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'USER_PASSWORD_AUTH',
    ) =>
      pool.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: pool.identity.userPoolId,
          ClientId,
          AuthFlow,
          AuthParameters: { USERNAME: email, PASSWORD: 'Correct-horse-9' },
        }),
      );
    const notEnabled = {
      name: 'InvalidParameterException',
      message: 'Auth flow not enabled for this client',
    };
    await expect(admin(consoleClient, 'CUSTOM_AUTH')).rejects.toMatchObject(notEnabled);
    await expect(admin(pool.identity.clientIds.firstParty, 'ADMIN_USER_PASSWORD_AUTH')).rejects.toMatchObject(
      notEnabled,
    );
    await expect(admin(pool.identity.clientIds.firstParty, 'USER_PASSWORD_AUTH')).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Initiate Auth method not supported.',
    });
    await expect(
      pool.cognito.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: pool.identity.userPoolId,
          ClientId: pool.identity.clientIds.firstParty,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: '123456' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(pool.events).toEqual([]);
  });

  it('a disabled user before any trigger runs, and a sign-in pre authentication denies', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    pool.triggers.preAuthentication = (event) =>
      (event as PreAuthenticationTriggerEvent).request.validationData?.deny
        ? Promise.reject(new Error('Not today'))
        : echo(event);
    await expect(pool.initiate(email, { deny: 'yes' })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'PreAuthentication failed with error Not today.',
    });
    expect(pool.eventsOf('defineAuthChallenge')).toEqual([]);
    const challenged = await pool.initiate(email);
    await pool.cognito.send(
      new AdminDisableUserCommand({ UserPoolId: pool.identity.userPoolId, Username: email }),
    );
    const disabled = { name: 'NotAuthorizedException', message: 'User is disabled.' };
    await expect(pool.answer(challenged.Session, email, '5')).rejects.toMatchObject(disabled);
    pool.events = [];
    await expect(pool.initiate(email)).rejects.toMatchObject(disabled);
    expect(pool.events).toEqual([]);
  });

  it('a define answer that is not Cognito’s shape, or names a challenge it cannot present', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    // A custom flow that starts with SRP: Cognito runs its SRP steps, which the local pool lacks.
    await expect(
      pool.cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'CUSTOM_AUTH',
          ClientId: pool.identity.clientIds.firstParty,
          AuthParameters: { USERNAME: email, CHALLENGE_NAME: 'SRP_A', SRP_A: 'abc' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    pool.triggers.defineAuthChallenge = () => Promise.resolve({ response: { issueTokens: 'yes' } });
    await expect(pool.initiate(email)).rejects.toMatchObject(unrecognizable);
    pool.triggers.defineAuthChallenge = (event) => Promise.resolve(event);
    await expect(pool.initiate(email)).rejects.toMatchObject(unrecognizable);
    pool.triggers.defineAuthChallenge = () => Promise.resolve({ response: { challengeName: 'CAPTCHA' } });
    await expect(pool.initiate(email)).rejects.toMatchObject(unrecognizable);
    // Cognito would run its own SRP steps here; the local pool has none and says so.
    pool.triggers.defineAuthChallenge = () =>
      Promise.resolve({ response: { challengeName: 'PASSWORD_VERIFIER' } });
    await expect(pool.initiate(email)).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    pool.triggers.defineAuthChallenge = () => Promise.reject(new Error('boom'));
    await expect(pool.initiate(email)).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'DefineAuthChallenge failed with error boom.',
    });
  });

  it('create and verify answers that are not Cognito’s shape', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    pool.triggers.createAuthChallenge = () =>
      Promise.resolve({ response: { publicChallengeParameters: { attempt: 1 } } });
    await expect(pool.initiate(email)).rejects.toMatchObject(unrecognizable);
    pool.triggers.createAuthChallenge = createCaptchaThenMascot;
    pool.triggers.verifyAuthChallengeResponse = () =>
      Promise.resolve({ response: { answerCorrect: 'true' } });
    const challenged = await pool.initiate(email);
    await expect(pool.answer(challenged.Session, email, '5')).rejects.toMatchObject(unrecognizable);
  });

  it('an answer without ANSWER', async () => {
    pool.useSamples();
    const { email } = await pool.createUser();
    const challenged = await pool.initiate(email);
    await expect(pool.answer(challenged.Session, email, '')).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Missing required parameter ANSWER',
    });
    await expect(pool.answer(challenged.Session, email, '5')).resolves.toHaveProperty('AuthenticationResult');
  });
});
