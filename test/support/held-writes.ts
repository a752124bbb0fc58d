// One side of a race, made deterministic: a DynamoDB client that reads as usual and holds every
// write until the test lets it go, so the other side can run to the end between this side's reads
// and its conditional write. Without the condition, the held write would then overwrite.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const writeCommands = /^(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)Command$/;

export interface HeldWrites {
  client: DynamoDBClient;
  /** Resolves once a write is waiting: everything this side read, it has read. */
  waiting: Promise<void>;
  /** Sends the waiting writes and lets every later one through. */
  release(): void;
}

export function holdWrites(endpoint: string): HeldWrites {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let released = false;
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let signal!: () => void;
  const waiting = new Promise<void>((resolve) => (signal = resolve));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!released && writeCommands.test(context.commandName ?? '')) {
        signal();
        await opened;
      }
      return next(args);
    },
    { step: 'initialize', name: 'holdWrites' },
  );
  return {
    client,
    waiting,
    release() {
      released = true;
      release();
    },
  };
}
