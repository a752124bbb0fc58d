// The three DynamoDB Streams calls the stream poller needs, spoken directly in the service's JSON
// protocol to DynamoDB Local (the SDK's streams client is not a dependency). DynamoDB Local reads the
// access key and region from the Authorization header to pick its database but checks no signature.
import type { DynamoDBRecord } from 'aws-lambda';

export interface StreamShard {
  ShardId: string;
  ParentShardId?: string;
  SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
}

export type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

export interface StreamsApi {
  listShards(streamArn: string): Promise<StreamShard[]>;
  getShardIterator(
    streamArn: string,
    shardId: string,
    type: ShardIteratorType,
    sequenceNumber?: string,
  ): Promise<string>;
  /** Records come as DynamoDB Local returns them; an absent nextIterator means the shard is closed. */
  getRecords(
    iterator: string,
    limit: number,
  ): Promise<{ records: DynamoDBRecord[]; nextIterator: string | undefined }>;
}

export class StreamsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'StreamsError';
  }
}

export function createStreamsClient(options: {
  endpoint: string;
  region: string;
  accessKeyId?: string;
}): StreamsApi {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const authorization =
    `AWS4-HMAC-SHA256 Credential=${options.accessKeyId ?? 'local'}/${date}/${options.region}/dynamodb/aws4_request, ` +
    'SignedHeaders=content-type;host;x-amz-target, Signature=0';

  async function call<T>(operation: string, body: unknown): Promise<T> {
    const response = await fetch(options.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
        authorization,
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      const code = (text(json.__type) ?? 'UnknownError').split('#').at(-1)!;
      throw new StreamsError(code, text(json.Message) ?? text(json.message) ?? response.statusText);
    }
    return json as T;
  }

  return {
    async listShards(streamArn) {
      const shards: StreamShard[] = [];
      let start: string | undefined;
      do {
        const page = await call<{
          StreamDescription: { Shards?: StreamShard[]; LastEvaluatedShardId?: string };
        }>('DescribeStream', { StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) });
        shards.push(...(page.StreamDescription.Shards ?? []));
        start = page.StreamDescription.LastEvaluatedShardId;
      } while (start);
      return shards;
    },
    async getShardIterator(streamArn, shardId, type, sequenceNumber) {
      const result = await call<{ ShardIterator: string }>('GetShardIterator', {
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
      });
      return result.ShardIterator;
    },
    async getRecords(iterator, limit) {
      const result = await call<{ Records?: DynamoDBRecord[]; NextShardIterator?: string | null }>(
        'GetRecords',
        {
          ShardIterator: iterator,
          Limit: limit,
        },
      );
      return { records: result.Records ?? [], nextIterator: result.NextShardIterator ?? undefined };
    },
  };
}
