// The local user pool's persisted state, one JSON file readable only by its owner: the pool's fixed
// ids and signing key (so tokens verify across restarts), users with password hashes and TOTP
// secrets, and sign-in sessions holding only the hash of their refresh token.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as z from 'zod';
import { readJsonFile, writeJsonFile } from '../state-files.ts';

const totpSchema = z.object({
  /** The verified secret that MFA challenges are checked against. */
  secret: z.string().optional(),
  /** Associated by AssociateSoftwareToken, waiting for VerifySoftwareToken. */
  pendingSecret: z.string().optional(),
  enabled: z.boolean(),
  /** The last TOTP time step accepted: Cognito takes each code once. */
  lastUsedStep: z.number().optional(),
});

const userSchema = z.object({
  /** Generated, and equal to the `sub` attribute, as Cognito does when email is the username. */
  username: z.string(),
  attributes: z.record(z.string(), z.string()),
  passwordHash: z.string(),
  status: z.enum(['CONFIRMED', 'FORCE_CHANGE_PASSWORD']),
  enabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  temporaryPasswordExpiresAt: z.number().optional(),
  totp: totpSchema,
});

const sessionSchema = z.object({
  /** The `origin_jti` of every token of this sign-in. */
  originJti: z.string(),
  username: z.string(),
  clientId: z.string(),
  refreshTokenHash: z.string(),
  /** Epoch seconds of the sign-in; refreshed tokens keep it. */
  authTime: z.number(),
  /** Epoch ms after which the refresh token is refused. */
  expiresAt: z.number(),
  revoked: z.boolean(),
  /** The OAuth scopes of a hosted sign-in; API sign-ins have only `aws.cognito.signin.user.admin`. */
  scopes: z.array(z.string()).optional(),
});

const poolStateSchema = z.object({
  version: z.literal(1),
  region: z.string(),
  userPoolId: z.string(),
  clientIds: z.object({ firstParty: z.string(), console: z.string() }),
  signingKey: z.object({ kid: z.string(), privateKeyPem: z.string() }),
  users: z.record(z.string(), userSchema),
  sessions: z.record(z.string(), sessionSchema),
});

export type PoolState = z.output<typeof poolStateSchema>;
export type UserRecord = z.output<typeof userSchema>;
export type SessionRecord = z.output<typeof sessionSchema>;

function randomCharacters(count: number, alphabet: string): string {
  return Array.from(randomBytes(count), (byte) => alphabet[byte % alphabet.length]).join('');
}

const lowerAlphanumerics = 'abcdefghijklmnopqrstuvwxyz0123456789';
const alphanumerics = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${lowerAlphanumerics}`;

async function newPoolState(region: string): Promise<PoolState> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return {
    version: 1,
    region,
    // Shaped like Cognito's ids: aws-jwt-verify takes the region from the pool id.
    userPoolId: `${region}_${randomCharacters(9, alphanumerics)}`,
    clientIds: {
      firstParty: randomCharacters(26, lowerAlphanumerics),
      console: randomCharacters(26, lowerAlphanumerics),
    },
    signingKey: {
      kid: randomBytes(32).toString('base64'),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    users: {},
    sessions: {},
  };
}

/** The pool in `file`, or a new one written there; a pool of another region is an error. */
export async function loadPoolState(file: string, region: string): Promise<PoolState> {
  const existing = readJsonFile(file, poolStateSchema);
  if (existing && existing.region !== region) {
    throw new Error(
      `${file} holds the local user pool of ${existing.region}, not ${region}; use one state file per region`,
    );
  }
  const state = existing ?? (await newPoolState(region));
  if (!existing) writePoolState(file, state, Date.now());
  return state;
}

/** Writes the state, dropping sessions whose refresh token has expired. */
export function writePoolState(file: string, state: PoolState, now: number): void {
  for (const [originJti, session] of Object.entries(state.sessions)) {
    if (session.expiresAt <= now) delete state.sessions[originJti];
  }
  writeJsonFile(file, state, { mode: 0o600 });
}
