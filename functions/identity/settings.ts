// A tenant's identity settings: the defaults a missing item stands for, and how a change moves the
// MFA grace period (it starts when the policy becomes `required`).
import type { IdentitySettingsItem, MfaPolicy, SsoPolicy } from '../../libs/data/identity-entities.ts';

export interface SettingsChanges {
  mfaPolicy?: MfaPolicy | undefined;
  mfaGraceDays?: number | undefined;
  invitationExpiryDays?: number | undefined;
  ssoPolicy?: SsoPolicy | undefined;
}

export interface EffectiveSettings {
  mfaPolicy: MfaPolicy;
  mfaGraceDays: number;
  mfaRequiredSince?: string;
  invitationExpiryDays: number;
  ssoPolicy: SsoPolicy;
  updatedAt?: string;
}

/** What a tenant's settings are, with the defaults for anything it has not set. */
export function effectiveSettings(
  item: IdentitySettingsItem | undefined,
  defaultInvitationExpiryDays: number,
): EffectiveSettings {
  return {
    mfaPolicy: item?.mfaPolicy ?? 'optional',
    mfaGraceDays: item?.mfaGraceDays ?? 0,
    ...(item?.mfaRequiredSince !== undefined ? { mfaRequiredSince: item.mfaRequiredSince } : {}),
    invitationExpiryDays: item?.invitationExpiryDays ?? defaultInvitationExpiryDays,
    ssoPolicy: item?.ssoPolicy ?? 'optional',
    ...(item ? { updatedAt: item.updatedAt } : {}),
  };
}

export type SettingsDiff = Record<string, { from: unknown; to: unknown }>;

/** The settings item after `changes`, and what changed; an empty diff means nothing to write. */
export function changeSettings(
  tenantId: string,
  current: IdentitySettingsItem | undefined,
  changes: SettingsChanges,
  now: Date,
): { next: IdentitySettingsItem; diff: SettingsDiff } {
  const from = {
    mfaPolicy: current?.mfaPolicy ?? 'optional',
    mfaGraceDays: current?.mfaGraceDays ?? 0,
    invitationExpiryDays: current?.invitationExpiryDays,
    ssoPolicy: current?.ssoPolicy ?? 'optional',
  };
  const to = {
    mfaPolicy: changes.mfaPolicy ?? from.mfaPolicy,
    mfaGraceDays: changes.mfaGraceDays ?? from.mfaGraceDays,
    invitationExpiryDays: changes.invitationExpiryDays ?? from.invitationExpiryDays,
    ssoPolicy: changes.ssoPolicy ?? from.ssoPolicy,
  };
  const diff: SettingsDiff = {};
  for (const field of ['mfaPolicy', 'mfaGraceDays', 'invitationExpiryDays', 'ssoPolicy'] as const) {
    if (to[field] !== from[field]) diff[field] = { from: from[field] ?? null, to: to[field] };
  }
  const becameRequired = to.mfaPolicy === 'required' && from.mfaPolicy !== 'required';
  const mfaRequiredSince =
    to.mfaPolicy !== 'required' ? undefined : becameRequired ? now.toISOString() : current?.mfaRequiredSince;
  const next: IdentitySettingsItem = {
    tenantId,
    mfaPolicy: to.mfaPolicy,
    mfaGraceDays: to.mfaGraceDays,
    ...(mfaRequiredSince !== undefined ? { mfaRequiredSince } : {}),
    ...(to.invitationExpiryDays !== undefined ? { invitationExpiryDays: to.invitationExpiryDays } : {}),
    ...(to.ssoPolicy === 'required' ? { ssoPolicy: to.ssoPolicy } : {}),
    updatedAt: now.toISOString(),
  };
  return { next, diff };
}
