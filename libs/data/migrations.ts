// Changes to items already in the table that a new release needs, each safe to run again and while
// the API serves: a run updates only the items still lacking the change, and an item changed or
// deleted under it is skipped, never resurrected. `npm run migrate` runs them on AWS; `npm start`
// runs them at boot.
import {
  ConditionalCheckFailedException,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { personIndexKeys } from './identity-entities.ts';

export interface MigrationProgress {
  migration: string;
  scanned: number;
  updated: number;
}

export interface Migration {
  name: string;
  run(
    client: DynamoDBClient,
    tableName: string,
    onPage?: (progress: MigrationProgress) => void,
  ): Promise<MigrationProgress>;
}

/** Users written before one person could be in several tenants get the keys of `byPerson` (gsi2). */
const personIndexBackfill: Migration = {
  name: 'user-person-index',
  async run(client, tableName, onPage) {
    const progress: MigrationProgress = { migration: this.name, scanned: 0, updated: 0 };
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          // ElectroDB marks each item with its entity's name.
          FilterExpression: '#entity = :user AND attribute_not_exists(gsi2pk)',
          ExpressionAttributeNames: { '#entity': '__edb_e__' },
          ExpressionAttributeValues: { ':user': { S: 'user' } },
          ProjectionExpression: 'pk, sk, tenantId, userId',
          ExclusiveStartKey: start,
        }),
      );
      progress.scanned += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const tenantId = item.tenantId?.S;
        const userId = item.userId?.S;
        if (!tenantId || !userId || !item.pk || !item.sk) continue;
        const keys = personIndexKeys(userId, tenantId);
        try {
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi2pk)',
              ExpressionAttributeValues: { ':pk': { S: keys.gsi2pk }, ':sk': { S: keys.gsi2sk } },
            }),
          );
          progress.updated += 1;
        } catch (error) {
          // Deleted since the scan, or already given its keys by a write of the new release.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      onPage?.({ ...progress });
      start = page.LastEvaluatedKey;
    } while (start);
    return progress;
  },
};

/** Every migration, oldest first. */
export const migrations: readonly Migration[] = [personIndexBackfill];

export async function runMigrations(
  client: DynamoDBClient,
  tableName: string,
  onPage?: (progress: MigrationProgress) => void,
): Promise<MigrationProgress[]> {
  const results: MigrationProgress[] = [];
  for (const migration of migrations) results.push(await migration.run(client, tableName, onPage));
  return results;
}
