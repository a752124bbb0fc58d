// CUSTOM_AUTH on the local user pool through the SDK's Cognito client over HTTP, driven by the sample
// challenge triggers of Amazon Cognito's documentation: the challenge loop, the events each trigger
// is given, where ClientMetadata goes, and the admin operations that run the same flow.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  PostAuthenticationTriggerEvent,
  PreAuthenticationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import { CustomAuthPool, defineThreeTries, defineTwoChallenges, echo } from '../../support/custom-auth.ts';

const pool = new CustomAuthPool();
beforeAll(() => pool.start());
afterEach(() => pool.reset());
afterAll(() => pool.stop());

const subOf = (jwt: string | undefined): unknown =>
  (JSON.parse(Buffer.from(jwt!.split('.')[1]!, 'base64url').toString('utf8')) as { sub: unknown }).sub;

describe('CUSTOM_AUTH on the local user pool', () => {
  it('signs a user in with one custom challenge, giving each trigger the event Cognito sends', async () => {
    pool.useSamples();
    const { email, sub } = await pool.createUser();
    const challenged = await pool.initiate(email.toUpperCase());
    expect(challenged).toMatchObject({
      ChallengeName: 'CUSTOM_CHALLENGE',
      ChallengeParameters: { captchaUrl: 'url/123.jpg', USERNAME: sub },
    });
    expect(challenged.ChallengeParameters).not.toHaveProperty('answer');
    const { AuthenticationResult: tokens } = await pool.answer(challenged.Session, email, '5');
    expect(subOf(tokens?.AccessToken)).toBe(sub);
    expect(tokens?.RefreshToken).toBeDefined();

    const common = {
      version: '1',
      region: 'us-east-1',
      userPoolId: pool.identity.userPoolId,
      userName: sub,
      callerContext: { clientId: pool.identity.clientIds.firstParty },
    };
    const defines = pool.eventsOf<DefineAuthChallengeTriggerEvent>('defineAuthChallenge');
    expect(defines[0]).toMatchObject({
      ...common,
      triggerSource: 'DefineAuthChallenge_Authentication',
      request: { session: [], userNotFound: false, userAttributes: { sub, email } },
    });
    expect(pool.eventsOf<CreateAuthChallengeTriggerEvent>('createAuthChallenge')[0]).toMatchObject({
      ...common,
      triggerSource: 'CreateAuthChallenge_Authentication',
      request: { challengeName: 'CUSTOM_CHALLENGE', session: [], userAttributes: { email } },
    });
    expect(
      pool.eventsOf<VerifyAuthChallengeResponseTriggerEvent>('verifyAuthChallengeResponse')[0],
    ).toMatchObject({
      ...common,
      triggerSource: 'VerifyAuthChallengeResponse_Authentication',
      request: { privateChallengeParameters: { answer: '5' }, challengeAnswer: '5', userNotFound: false },
    });
    expect(defines[1]?.request.session).toEqual([
      { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'CAPTCHA_CHALLENGE' },
    ]);
  });

  it('runs as many rounds as define asks for, each with its own challenge and session', async () => {
    pool.useSamples(defineTwoChallenges);
    const { email, sub } = await pool.createUser();
    const captcha = await pool.initiate(email);
    const mascot = await pool.answer(captcha.Session, email, '5');
    expect(mascot).toMatchObject({
      ChallengeName: 'CUSTOM_CHALLENGE',
      ChallengeParameters: { securityQuestion: 'Who is your favorite team mascot?', USERNAME: sub },
    });
    expect(mascot.Session).not.toBe(captcha.Session);
    const { AuthenticationResult: tokens } = await pool.answer(mascot.Session, email, 'Peccy');
    expect(subOf(tokens?.IdToken)).toBe(sub);
    const sessions = pool
      .eventsOf<DefineAuthChallengeTriggerEvent>('defineAuthChallenge')
      .map((e) => e.request.session.length);
    expect(sessions).toEqual([0, 1, 2]);
  });

  it('asks again after a wrong answer, on a new session, and takes the right one next', async () => {
    pool.useSamples(defineThreeTries);
    const { email } = await pool.createUser();
    const first = await pool.initiate(email);
    const again = await pool.answer(first.Session, email, '4');
    expect(again.ChallengeName).toBe('CUSTOM_CHALLENGE');
    expect(again.Session).not.toBe(first.Session);
    await expect(pool.answer(first.Session, email, '5')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
    await expect(pool.answer(again.Session, email, '5')).resolves.toHaveProperty(
      'AuthenticationResult.AccessToken',
    );
    const defines = pool.eventsOf<DefineAuthChallengeTriggerEvent>('defineAuthChallenge');
    expect(defines.at(-1)?.request.session.map((s) => s.challengeResult)).toEqual([false, true]);
  });

  it('fails the sign-in with NotAuthorizedException when define says failAuthentication', async () => {
    pool.useSamples(defineThreeTries);
    const { email } = await pool.createUser();
    let step = await pool.initiate(email);
    step = await pool.answer(step.Session, email, 'wrong');
    step = await pool.answer(step.Session, email, 'wrong');
    await expect(pool.answer(step.Session, email, 'wrong')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(pool.eventsOf('preTokenGeneration')).toEqual([]);
  });

  it('gives InitiateAuth’s ClientMetadata to pre authentication only, and RespondToAuthChallenge’s to the rest', async () => {
    pool.useSamples();
    Object.assign(pool.triggers, {
      preAuthentication: echo,
      preTokenGeneration: echo,
      postAuthentication: echo,
    });
    const { email } = await pool.createUser();
    const challenged = await pool.initiate(email, { step: 'initiate' });
    await pool.answer(challenged.Session, email, '5', { step: 'respond' });
    expect(pool.eventsOf<PreAuthenticationTriggerEvent>('preAuthentication')[0]?.request).toMatchObject({
      validationData: { step: 'initiate' },
    });
    const [first, second] = pool.eventsOf<DefineAuthChallengeTriggerEvent>('defineAuthChallenge');
    expect(first?.request).not.toHaveProperty('clientMetadata');
    expect(
      pool.eventsOf<CreateAuthChallengeTriggerEvent>('createAuthChallenge')[0]?.request,
    ).not.toHaveProperty('clientMetadata');
    const respond = { clientMetadata: { step: 'respond' } };
    expect(second?.request).toMatchObject(respond);
    expect(
      pool.eventsOf<VerifyAuthChallengeResponseTriggerEvent>('verifyAuthChallengeResponse')[0]?.request,
    ).toMatchObject(respond);
    expect(pool.eventsOf<PreTokenGenerationV2TriggerEvent>('preTokenGeneration')[0]).toMatchObject({
      triggerSource: 'TokenGeneration_Authentication',
      request: respond,
    });
    expect(pool.eventsOf<PostAuthenticationTriggerEvent>('postAuthentication')[0]?.request).toMatchObject(
      respond,
    );
  });

  it('runs the same loop through AdminInitiateAuth and AdminRespondToAuthChallenge', async () => {
    pool.useSamples(defineTwoChallenges);
    const { email, sub } = await pool.createUser();
    const { userPoolId, clientIds } = pool.identity;
    const respond = (session: string | undefined, answer: string) =>
      pool.cognito.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: userPoolId,
          ClientId: clientIds.firstParty,
          ChallengeName: 'CUSTOM_CHALLENGE',
          Session: session,
          ChallengeResponses: { USERNAME: email, ANSWER: answer },
        }),
      );
    const captcha = await pool.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPoolId,
        ClientId: clientIds.firstParty,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: email },
      }),
    );
    expect(captcha.ChallengeParameters).toMatchObject({ captchaUrl: 'url/123.jpg', USERNAME: sub });
    const mascot = await respond(captcha.Session, '5');
    const { AuthenticationResult: tokens } = await respond(mascot.Session, 'Peccy');
    expect(subOf(tokens?.AccessToken)).toBe(sub);
    const refreshed = await pool.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPoolId,
        ClientId: clientIds.firstParty,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens!.RefreshToken! },
      }),
    );
    expect(subOf(refreshed.AuthenticationResult?.AccessToken)).toBe(sub);
    await expect(
      pool.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: 'us-east-1_Nowhere00',
          ClientId: clientIds.firstParty,
          AuthFlow: 'CUSTOM_AUTH',
          AuthParameters: { USERNAME: email },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('runs the challenge triggers for a name that matches no user, and never issues tokens for it', async () => {
    pool.useSamples();
    const challenged = await pool.initiate('nobody@example.com');
    expect(challenged.ChallengeName).toBe('CUSTOM_CHALLENGE');
    expect(pool.eventsOf<DefineAuthChallengeTriggerEvent>('defineAuthChallenge')[0]).toMatchObject({
      userName: 'nobody@example.com',
      request: { userNotFound: true, userAttributes: {} },
    });
    await expect(pool.answer(challenged.Session, 'nobody@example.com', '5')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });
});
