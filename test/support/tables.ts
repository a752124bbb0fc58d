// Fresh, uniquely named tables in the run's DynamoDB Local for one test file.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { directoryTable, mainTable } from '../../libs/data/design.ts';
import { ensureTable } from '../../infra/local/tables.ts';

export interface TestTables {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  directoryTableName: string;
}

export async function createTestTables(options: { stream?: boolean } = {}): Promise<TestTables> {
  const endpoint = inject('dynamodbEndpoint');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const suffix = randomUUID().slice(0, 8);
  const tableName = `plinth-test-${suffix}`;
  const directoryTableName = `plinth-test-directory-${suffix}`;
  await ensureTable(client, tableName, mainTable, options);
  await ensureTable(client, directoryTableName, directoryTable);
  return { endpoint, client, tableName, directoryTableName };
}
