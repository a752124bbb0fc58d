// Vitest global setup: one in-memory DynamoDB Local for the whole run. Each test file isolates itself
// with its own table names (see test/support/tables.ts).
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await startDynamoDbLocal({ sharedDb: true });
  project.provide('dynamodbEndpoint', db.endpoint);
  return () => db.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
