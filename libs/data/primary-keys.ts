// Primary key templates of the items the authorizer reads on every uncached call. entities.ts builds
// its ElectroDB indexes from these, so the authorizer can address the same items without loading
// ElectroDB (most of its bundle and cold start); a test checks both produce the same keys.
export const primaryKeys = {
  tenant: { pk: 'T#${tenantId}', sk: 'TENANT' },
  apiKey: { pk: 'T#${ownerId}', sk: 'KEY#${keyId}' },
} as const;

/** Fills `${name}` placeholders; a missing value is a bug, so it throws naming it. */
export function fillKey(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`key template ${template} needs ${name}`);
    return value;
  });
}
