// The runner of every job kind, built once per container with the clients the runners need.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { JobRunners } from './runners.ts';

export interface JobRunnerDeps {
  config: RuntimeConfig;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
}

export function createJobRunners(_deps: JobRunnerDeps): JobRunners {
  return {};
}
