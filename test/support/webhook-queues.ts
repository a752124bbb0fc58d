// The webhooks context's queues on an in-process SQS (fauxqs), uniquely named for one test file.
import { SQSClient } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { manifest } from '../../functions/webhooks/manifest.ts';
import { createDeclaredQueues, startSqsAndS3 } from '../../infra/local/sqs-and-s3.ts';

export interface WebhookQueues {
  sqs: SQSClient;
  deliveries: { url: string; arn: string; deadLetterUrl: string };
  stop(): Promise<void>;
}

export async function startWebhookQueues(region: string): Promise<WebhookQueues> {
  const service = await startSqsAndS3({ region });
  const sqs = new SQSClient({
    endpoint: service.endpoint,
    region,
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  const suffix = ulid().slice(-8).toLowerCase();
  const queues = await createDeclaredQueues(sqs, [manifest], {
    queue: (n) => `${n}-${suffix}`,
    deadLetterQueue: (n) => `${n}-${suffix}-dlq`,
  });
  const deliveries = queues.get('webhook-deliveries')!;
  return {
    sqs,
    deliveries: { url: deliveries.url, arn: deliveries.arn, deadLetterUrl: deliveries.deadLetterUrl },
    async stop() {
      sqs.destroy();
      await service.stop();
    },
  };
}
