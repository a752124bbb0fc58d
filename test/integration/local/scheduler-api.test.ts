// The local EventBridge Scheduler API through the SDK's own SchedulerClient over HTTP: one-time
// schedules that send their input to a local queue when due, and survive a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defineContext } from '../../../libs/manifest/types.ts';
import { silentLog } from '../../../infra/local/log.ts';
import { startSchedulerApi, type LocalSchedulerApi } from '../../../infra/local/scheduler-api.ts';
import {
  createDeclaredQueues,
  queueUrlsByArn,
  startSqsAndS3,
  type LocalQueue,
  type SqsAndS3,
} from '../../../infra/local/sqs-and-s3.ts';
import { eventually } from '../../support/eventually.ts';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const group = 'plinth-delays';
const roleArn = 'arn:aws:iam::000000000000:role/plinth-scheduler';

const retries = defineContext({
  name: 'retries',
  description: 'test',
  entry: 'test/retries.ts',
  routes: [],
  queues: [
    {
      name: 'deliveries',
      consumer: 'deliver',
      batchSize: 1,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 30,
    },
  ],
  access: {},
});

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-scheduler-api-'));
let service: SqsAndS3;
let sqs: SQSClient;
let queue: LocalQueue;
let api: LocalSchedulerApi;
let client: SchedulerClient;

async function startApi(port = 0): Promise<LocalSchedulerApi> {
  const urls = queueUrlsByArn(new Map([['deliveries', queue]]));
  return startSchedulerApi({
    region,
    groups: [group],
    stateFile: join(dataDir, 'one-time-schedules.json'),
    queueUrl: (arn) => urls.get(arn),
    sendMessage: async (url, body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    },
    log: silentLog,
    port,
    tickMs: 100,
  });
}

beforeAll(async () => {
  service = await startSqsAndS3({ region });
  sqs = new SQSClient({ endpoint: service.endpoint, region, credentials });
  const queues = await createDeclaredQueues(sqs, [retries], {
    queue: (n) => `sched-${n}`,
    deadLetterQueue: (n) => `sched-${n}-dlq`,
  });
  queue = queues.get('deliveries')!;
  api = await startApi();
  client = new SchedulerClient({ endpoint: api.endpoint, region, credentials });
});

afterAll(async () => {
  client?.destroy();
  await api?.stop();
  sqs?.destroy();
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `at(...)` for a moment `seconds` from now, rounded up to a whole second. */
function atIn(seconds: number): string {
  const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000);
  return `at(${at.toISOString().slice(0, 19)})`;
}

function schedule(name: string, overrides: Partial<CreateScheduleCommandInput> = {}) {
  return new CreateScheduleCommand({
    Name: name,
    GroupName: group,
    ScheduleExpression: atIn(86_400),
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: queue.arn, RoleArn: roleArn, Input: JSON.stringify({ name }) },
    ...overrides,
  });
}

async function receiveBodies(): Promise<string[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (received.Messages ?? []).map((m) => m.Body!);
}

async function received(body: string): Promise<true> {
  return eventually(async () => (await receiveBodies()).includes(body) || undefined, `message ${body}`);
}

describe('the local scheduler API', () => {
  it('creates a schedule and describes it with the fields it was given', async () => {
    const created = await client.send(
      schedule('described', { ScheduleExpressionTimezone: 'Europe/Berlin', Description: 'a retry' }),
    );
    const got = await client.send(new GetScheduleCommand({ Name: 'described', GroupName: group }));

    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:${region}:000000000000:schedule/${group}/described`);
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'described',
      GroupName: group,
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Description: 'a retry',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: queue.arn, RoleArn: roleArn, Input: '{"name":"described"}' },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
  });

  it('refuses a second schedule with the same name in the group with ConflictException', async () => {
    await client.send(schedule('twice'));
    await expect(client.send(schedule('twice'))).rejects.toBeInstanceOf(ConflictException);
  });

  it('answers ResourceNotFoundException for a missing schedule or group', async () => {
    await expect(
      client.send(new GetScheduleCommand({ Name: 'nothing', GroupName: group })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new DeleteScheduleCommand({ Name: 'nothing', GroupName: group })),
    ).rejects.toThrow(/Schedule nothing does not exist/);
    await expect(client.send(schedule('lost', { GroupName: 'no-such-group' }))).rejects.toThrow(
      /Schedule group no-such-group does not exist/,
    );
  });

  it('refuses bad input with ValidationException naming what is wrong', async () => {
    const refusals = [
      schedule('bad-expression', { ScheduleExpression: 'at(2026-02-30T10:00:00)' }),
      schedule('recurring', { ScheduleExpression: 'rate(5 minutes)' }),
      schedule('bad-zone', { ScheduleExpressionTimezone: 'Mars/Olympus' }),
      schedule('elsewhere', {
        Target: { Arn: 'arn:aws:sqs:us-east-1:123456789012:other', RoleArn: roleArn },
      }),
      schedule('bad name!'),
    ];
    const errors = await Promise.all(
      refusals.map((command) => client.send(command).catch((e: unknown) => e)),
    );

    for (const error of errors) expect(error).toBeInstanceOf(ValidationException);
    expect((errors as Error[]).map((e) => e.message)).toEqual([
      expect.stringMatching(/Invalid Schedule Expression/),
      expect.stringMatching(/only one-time at/),
      expect.stringMatching(/Invalid time zone/),
      expect.stringMatching(/not a queue of the local runtime/),
      expect.stringMatching(/not a valid schedule name/),
    ]);
  });

  it('deletes a schedule, so it never sends', async () => {
    await client.send(schedule('cancelled', { ScheduleExpression: atIn(1) }));
    await client.send(new DeleteScheduleCommand({ Name: 'cancelled', GroupName: group }));

    await expect(
      client.send(new GetScheduleCommand({ Name: 'cancelled', GroupName: group })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(api.schedules().map((s) => s.name)).not.toContain('cancelled');
  });

  it('sends the input to the target queue when due, then deletes the schedule', async () => {
    await client.send(schedule('due-soon', { ScheduleExpression: atIn(1) }));

    await received('{"name":"due-soon"}');
    await expect(
      client.send(new GetScheduleCommand({ Name: 'due-soon', GroupName: group })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps a completed schedule whose ActionAfterCompletion is NONE, without sending it again', async () => {
    await client.send(schedule('kept', { ScheduleExpression: atIn(0), ActionAfterCompletion: 'NONE' }));

    await received('{"name":"kept"}');
    await api.tick();
    expect((await client.send(new GetScheduleCommand({ Name: 'kept', GroupName: group }))).Name).toBe('kept');
    expect(api.schedules().find((s) => s.name === 'kept')?.firedAt).toBeDefined();
    expect(await receiveBodies()).not.toContain('{"name":"kept"}');
  });

  it('sends a schedule that fell due while it was stopped right after the next start', async () => {
    await client.send(schedule('across-restart', { ScheduleExpression: atIn(1) }));
    const port = api.port;
    await api.stop();
    expect(api.schedules().map((s) => s.name)).toContain('across-restart');
    await new Promise((resolve) => setTimeout(resolve, 2100));

    api = await startApi(port);

    await received('{"name":"across-restart"}');
    expect(api.schedules().map((s) => s.name)).toEqual(expect.arrayContaining(['described', 'twice']));
  });
});
