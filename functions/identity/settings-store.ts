// Access patterns of a tenant's identity settings: one item, written whole with its event.
import type { IdentitySettingsItem } from '../../libs/data/identity-entities.ts';
import { eventItem, writeWithEvent, type Actor } from '../../libs/data/outbox.ts';
import type { SettingsDiff } from './settings.ts';
import type { IdentityStoreEntities } from './store-entities.ts';

export function createSettingsStore(entities: IdentityStoreEntities) {
  async function getSettings(tenantId: string): Promise<IdentitySettingsItem | undefined> {
    const { data } = await entities.identitySettings.get({ tenantId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** Replaces `current` (or creates the item) on condition nobody changed it since it was read. */
  async function saveSettings(
    current: IdentitySettingsItem | undefined,
    next: IdentitySettingsItem,
    diff: SettingsDiff,
    actor: Actor,
  ): Promise<void> {
    const { tenantId } = next;
    const event = eventItem(
      tenantId,
      actor,
      'identity_settings.updated',
      {
        settings: {
          mfaPolicy: next.mfaPolicy,
          mfaGraceDays: next.mfaGraceDays,
          ...(next.mfaRequiredSince !== undefined ? { mfaRequiredSince: next.mfaRequiredSince } : {}),
          ...(next.invitationExpiryDays !== undefined
            ? { invitationExpiryDays: next.invitationExpiryDays }
            : {}),
          ssoPolicy: next.ssoPolicy ?? 'optional',
        },
        changes: diff,
      },
      new Date(next.updatedAt),
    );
    await writeWithEvent(entities, event, (e) => [
      current
        ? e.identitySettings
            .put(next)
            .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
            .commit()
        : e.identitySettings.create(next).commit(),
    ]);
  }

  /** Whether the tenant has verified `domain` (SSO may be required for its users). */
  async function isVerifiedDomain(tenantId: string, domain: string): Promise<boolean> {
    const { data } = await entities.domain.get({ tenantId, domain }).go();
    return data?.status === 'verified';
  }

  return { getSettings, saveSettings, isVerifiedDomain };
}
