// TOTP MFA in the local pool: secrets in the base32 form authenticator apps read, codes checked with
// otplib (one step of clock drift either way, each code accepted once, as Cognito does) and the
// MFA preference that decides whether sign-in is challenged.
import { generateSecret, verify } from 'otplib';
import * as z from 'zod';
import { CognitoError } from './protocol.ts';
import type { UserRecord } from './state.ts';

export function newTotpSecret(): string {
  return generateSecret({ length: 32 });
}

const periodSeconds = 30;

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'mismatch' | 'reused' };

/** Whether `code` is the TOTP of `secret` at `nowMs` (±30 s) and newer than the last accepted one. */
export async function checkTotpCode(
  secret: string,
  code: string,
  nowMs: number,
  lastUsedStep: number | undefined,
): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'mismatch' };
  const epoch = Math.floor(nowMs / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: periodSeconds });
  if (!result.valid) return { ok: false, reason: 'mismatch' };
  const step = Math.floor(epoch / periodSeconds) + result.delta;
  if (lastUsedStep !== undefined && step <= lastUsedStep) return { ok: false, reason: 'reused' };
  return { ok: true, step };
}

const mfaSetting = z
  .object({ Enabled: z.boolean().optional(), PreferredMfa: z.boolean().optional() })
  .optional();

/** The request members of SetUserMFAPreference and AdminSetUserMFAPreference. */
export const mfaPreferenceMembers = {
  SoftwareTokenMfaSettings: mfaSetting,
  SMSMfaSettings: mfaSetting,
  EmailMfaSettings: mfaSetting,
};

type MfaSettingsInput = z.output<z.ZodObject<typeof mfaPreferenceMembers>>;

/** SetUserMFAPreference and its admin twin: only TOTP exists in this pool. */
export function applyMfaPreference(user: UserRecord, input: MfaSettingsInput): void {
  if (input.SMSMfaSettings?.Enabled || input.EmailMfaSettings?.Enabled) {
    throw new CognitoError(
      'InvalidParameterException',
      'Only software token MFA is configured for this user pool.',
    );
  }
  const totp = input.SoftwareTokenMfaSettings;
  if (totp?.Enabled === undefined) return;
  if (totp.Enabled && !user.totp.secret) {
    throw new CognitoError('InvalidParameterException', 'User has not verified software token mfa');
  }
  user.totp.enabled = totp.Enabled;
}

/** The MFA members of GetUser and AdminGetUser. */
export function mfaSettingsOf(user: UserRecord): {
  UserMFASettingList?: string[];
  PreferredMfaSetting?: string;
} {
  return user.totp.enabled
    ? { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' }
    : {};
}
