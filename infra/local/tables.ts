// Creates Plinth's tables in a local DynamoDB from the same key design the CDK constructs use.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableDesign } from '../../libs/data/design.ts';

export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  design: TableDesign,
  options: { stream?: boolean } = {},
): Promise<void> {
  const attributes = new Set([design.partitionKey, design.sortKey]);
  for (const gsi of design.globalIndexes) {
    attributes.add(gsi.partitionKey);
    attributes.add(gsi.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: design.partitionKey, KeyType: 'HASH' },
          { AttributeName: design.sortKey, KeyType: 'RANGE' },
        ],
        ...(design.globalIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: design.globalIndexes.map((gsi) => ({
                IndexName: gsi.name,
                KeySchema: [
                  { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
                  { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              })),
            }
          : {}),
        ...(options.stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
          : {}),
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: design.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
  // A table kept from before it had a stream gets one, so its stream consumers have something to read.
  if (options.stream && !existing.Table?.StreamSpecification?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
  }
}

export async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
