// One factory per AWS client, each knowing the region and traced (every call an X-Ray subsegment).
// On AWS the SDK finds its endpoints; on one machine the local runtime sets the standard
// AWS_ENDPOINT_URL_<SERVICE> variables, so handlers run unchanged. Separate functions keep each
// bundle to the clients its function uses.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from './telemetry.ts';

export function createDynamoDbClient(region: string): DynamoDBClient {
  return tracer.captureAWSv3Client(new DynamoDBClient({ region }));
}

export function createEventBridgeClient(region: string): EventBridgeClient {
  return tracer.captureAWSv3Client(new EventBridgeClient({ region }));
}

export function createSqsClient(region: string): SQSClient {
  return tracer.captureAWSv3Client(new SQSClient({ region }));
}

export function createSchedulerClient(region: string): SchedulerClient {
  return tracer.captureAWSv3Client(new SchedulerClient({ region }));
}

export function createMailClient(region: string): SESv2Client {
  return tracer.captureAWSv3Client(new SESv2Client({ region }));
}

export function createCognitoClient(region: string): CognitoIdentityProviderClient {
  return tracer.captureAWSv3Client(new CognitoIdentityProviderClient({ region }));
}

export function createSecretsManagerClient(region: string): SecretsManagerClient {
  return tracer.captureAWSv3Client(new SecretsManagerClient({ region }));
}
