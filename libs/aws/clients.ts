// One factory for every AWS client. On AWS the SDK finds its endpoints; on one machine the local
// runtime sets the standard AWS_ENDPOINT_URL_<SERVICE> variables, so handlers run unchanged.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
  s3: S3Client;
}

export function createAwsClients(region: string): AwsClients {
  const dynamodb = new DynamoDBClient({ region });
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    eventBridge: new EventBridgeClient({ region }),
    sqs: new SQSClient({ region }),
    // Path-style addressing keeps local S3 stand-ins reachable at one host.
    s3: new S3Client({ region, forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
  };
}
