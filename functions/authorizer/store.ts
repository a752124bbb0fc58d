// The authorizer's reads: a key and its tenant by primary key, and the key's last use.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyItem, TenantItem } from '../../libs/data/entities.ts';
import { fillKey, primaryKeys } from '../../libs/data/primary-keys.ts';
import type { CredentialReads } from './verify.ts';

/** ElectroDB marks each item with its entity name; anything else at that key is not ours to trust. */
function ofEntity<T>(item: Record<string, unknown> | undefined, entity: string): T | undefined {
  return item && item.__edb_e__ === entity ? (item as T) : undefined;
}

export function createCredentialStore(client: DynamoDBClient, tableName: string) {
  const documents = DynamoDBDocumentClient.from(client);

  function keyOf(template: { pk: string; sk: string }, values: Record<string, string>) {
    return { pk: fillKey(template.pk, values), sk: fillKey(template.sk, values) };
  }

  const reads: CredentialReads = {
    async getApiKey(ownerId, keyId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: keyOf(primaryKeys.apiKey, { ownerId, keyId }) }),
      );
      return ofEntity<ApiKeyItem>(Item, 'apiKey');
    },
    async getTenant(tenantId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: keyOf(primaryKeys.tenant, { tenantId }) }),
      );
      return ofEntity<TenantItem>(Item, 'tenant');
    },
  };

  async function recordUse(key: ApiKeyItem, at: Date): Promise<void> {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keyOf(primaryKeys.apiKey, { ownerId: key.ownerId, keyId: key.keyId }),
        UpdateExpression: 'SET lastUsedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  return { reads, recordUse };
}
