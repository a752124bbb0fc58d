// One factory per AWS client, each knowing the region. On AWS the SDK finds its endpoints; on one
// machine the local runtime sets the standard AWS_ENDPOINT_URL_<SERVICE> variables, so handlers
// run unchanged. Separate functions keep each bundle to the clients its function uses.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

export function createDynamoDbClient(region: string): DynamoDBClient {
  return new DynamoDBClient({ region });
}

export function createEventBridgeClient(region: string): EventBridgeClient {
  return new EventBridgeClient({ region });
}
