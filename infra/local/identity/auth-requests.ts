// The request bodies of sign-in as Cognito takes them: InitiateAuth, RespondToAuthChallenge and
// GetTokensFromRefreshToken, and the Admin* twins of the first two, which name the user pool as well
// and are called with AWS credentials.
import * as z from 'zod';

const metadata = z.record(z.string(), z.string()).optional();

export const initiateAuthInput = z.object({
  AuthFlow: z.string(),
  ClientId: z.string(),
  AuthParameters: z.record(z.string(), z.string()).default({}),
  ClientMetadata: metadata,
});

export const respondInput = z.object({
  ClientId: z.string(),
  ChallengeName: z.string(),
  Session: z.string().optional(),
  ChallengeResponses: z.record(z.string(), z.string()).default({}),
  ClientMetadata: metadata,
});

export const getTokensInput = z.object({
  ClientId: z.string(),
  RefreshToken: z.string(),
  ClientSecret: z.string().optional(),
  DeviceKey: z.string().optional(),
  ClientMetadata: metadata,
});

const adminMembers = { UserPoolId: z.string() };
export const adminInitiateAuthInput = initiateAuthInput.extend(adminMembers);
export const adminRespondInput = respondInput.extend(adminMembers);

export type InitiateAuthInput = z.output<typeof initiateAuthInput>;
export type RespondInput = z.output<typeof respondInput>;

/** Whether a request came to InitiateAuth / RespondToAuthChallenge or to their Admin* twins. */
export type AuthCaller = 'client' | 'admin';
