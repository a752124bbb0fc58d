// Primary key templates of the items the authorizer reads on every uncached call. entities.ts builds
// its ElectroDB indexes from these, so the authorizer can address the same items without loading
// ElectroDB (most of its bundle and cold start); a test checks both produce the same keys.
export const primaryKeys = {
  tenant: { pk: 'T#${tenantId}', sk: 'TENANT' },
  apiKey: { pk: 'T#${ownerId}', sk: 'KEY#${keyId}' },
  user: { pk: 'T#${tenantId}', sk: 'USER#${userId}' },
  role: { pk: 'T#${tenantId}', sk: 'ROLE#${roleId}' },
  session: { pk: 'T#${tenantId}', sk: 'SESS#${userId}#${sessionId}' },
  identitySettings: { pk: 'T#${tenantId}', sk: 'SETTINGS#identity' },
  domain: { pk: 'T#${tenantId}', sk: 'DOMAIN#${domain}' },
} as const;

/** ElectroDB's own attributes, so items the authorizer writes read back as entities. */
export function entityMarker(entity: string): { __edb_e__: string; __edb_v__: string } {
  return { __edb_e__: entity, __edb_v__: '1' };
}

/** Fills `${name}` placeholders; a missing value is a bug, so it throws naming it. */
export function fillKey(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`key template ${template} needs ${name}`);
    return value;
  });
}

/** A session item lives as long as the longest refresh token: 30 days. */
export const sessionLifetimeSeconds = 30 * 24 * 60 * 60;
