// Mints a platform admin API key directly in the table. Used by `npm start` to seed the first admin
// and by the operator's `npm run platform-key` after a deployment; never reachable over HTTP.
import { createDynamoDbClient } from '../../libs/aws/clients.ts';
import { generateApiKey } from '../../libs/auth/api-key.ts';
import { loadRuntimeConfig, type RuntimeConfig } from '../../libs/config/runtime.ts';
import { createTenantEntities } from './entities.ts';
import { createTenantStore } from './store.ts';

export async function createPlatformAdminKey(
  options: { name: string },
  config: RuntimeConfig = loadRuntimeConfig(),
): Promise<{ id: string; secret: string }> {
  const client = createDynamoDbClient(config.region);
  try {
    const store = createTenantStore(
      createTenantEntities({
        client,
        tableName: config.tableName,
        directoryTableName: config.directoryTableName,
      }),
    );
    const key = generateApiKey({ kind: 'platform' });
    await store.createPlatformKey(key, options.name);
    return { id: key.keyId, secret: key.key };
  } finally {
    client.destroy();
  }
}
