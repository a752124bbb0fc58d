// Rules put on the local bus at run time through the SDK's own EventBridgeClient, as the webhooks
// context manages a tenant's event destinations: matching events are forwarded (to a log, since
// the tenant's account does not exist on one machine), and the rules survive a restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { startEventBus, type LocalEventBus } from '../../../infra/local/event-bus.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import { silentLog } from '../../../infra/local/log.ts';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const EventBusName = 'plinth-events';
const tenantBus = 'arn:aws:events:us-east-1:111122223333:event-bus/acme-plinth';
const roleArn = 'arn:aws:iam::000000000000:role/plinth-event-destinations';
const dataDir = mkdtempSync(join(tmpdir(), 'plinth-bus-rules-'));
const forwardedLog = join(dataDir, 'forwarded-events.log');

let bus: LocalEventBus;
let client: EventBridgeClient;

async function startBus(port = 0): Promise<LocalEventBus> {
  return startEventBus({
    busName: EventBusName,
    region,
    contexts: [],
    functions: createFunctionHost({ region, namePrefix: 'test', load: () => Promise.resolve({}) }),
    log: silentLog,
    sendToQueue: () => Promise.reject(new Error('no queues here')),
    targetArn: () => 'arn:aws:sqs:us-east-1:000000000000:none',
    sendToDeadLetterQueue: () => Promise.reject(new Error('no queues here')),
    port,
    rulesFile: join(dataDir, 'bus-rules.json'),
    forwardedEventsFile: forwardedLog,
  });
}

beforeAll(async () => {
  bus = await startBus();
  client = new EventBridgeClient({ endpoint: bus.endpoint, region, credentials });
});

afterAll(async () => {
  client?.destroy();
  await bus?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const tenantPattern = (tenantId: string) =>
  JSON.stringify({ source: ['plinth'], detail: { tenantId: [tenantId] } });

async function publish(tenantId: string, type: string): Promise<string> {
  const result = await client.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName, Source: 'plinth', DetailType: type, Detail: JSON.stringify({ tenantId, type }) },
      ],
    }),
  );
  await bus.settled();
  return result.Entries![0]!.EventId!;
}

async function putDestination(rule: string, tenantId: string): Promise<void> {
  await client.send(new PutRuleCommand({ Name: rule, EventBusName, EventPattern: tenantPattern(tenantId) }));
  const targets = await client.send(
    new PutTargetsCommand({
      Rule: rule,
      EventBusName,
      Targets: [{ Id: 'tenant-bus', Arn: tenantBus, RoleArn: roleArn }],
    }),
  );
  expect(targets.FailedEntryCount).toBe(0);
}

describe('rules put on the local bus', () => {
  it("forwards the events a rule matches to the other account's bus, and no others", async () => {
    await putDestination('plinth-dest-acme', 'ten_acme');

    const matched = await publish('ten_acme', 'tenant.updated');
    await publish('ten_other', 'tenant.updated');

    expect(bus.forwarded().map((f) => [f.target, f.rule, f.event.id])).toEqual([
      [tenantBus, 'plinth-dest-acme', matched],
    ]);
    const logged = readFileSync(forwardedLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(logged).toEqual([
      expect.objectContaining({
        target: tenantBus,
        event: expect.objectContaining({ id: matched }) as object,
      }),
    ]);
    expect(bus.events().at(-2)?.rules).toEqual(['plinth-dest-acme']);
  });

  it('describes and lists rules with their pattern, ARN and targets', async () => {
    await putDestination('plinth-dest-globex', 'ten_globex');

    const described = await client.send(
      new DescribeRuleCommand({ Name: 'plinth-dest-globex', EventBusName }),
    );
    const listed = await client.send(new ListRulesCommand({ EventBusName, NamePrefix: 'plinth-dest-' }));
    const targets = await client.send(
      new ListTargetsByRuleCommand({ Rule: 'plinth-dest-globex', EventBusName }),
    );

    expect(described).toMatchObject({
      Name: 'plinth-dest-globex',
      Arn: `arn:aws:events:${region}:000000000000:rule/${EventBusName}/plinth-dest-globex`,
      EventPattern: tenantPattern('ten_globex'),
      State: 'ENABLED',
      EventBusName,
    });
    expect(listed.Rules?.map((r) => r.Name)).toEqual(['plinth-dest-acme', 'plinth-dest-globex']);
    expect(targets.Targets).toEqual([{ Id: 'tenant-bus', Arn: tenantBus, RoleArn: roleArn }]);
  });

  it('keeps rules and their targets across a restart', async () => {
    const port = bus.port;
    await bus.stop();
    bus = await startBus(port);

    const matched = await publish('ten_acme', 'tenant.suspended');

    expect(bus.forwarded().map((f) => f.event.id)).toEqual([matched]);
    const listed = await client.send(new ListRulesCommand({ EventBusName }));
    expect(listed.Rules?.map((r) => r.Name)).toEqual(['plinth-dest-acme', 'plinth-dest-globex']);
  });

  it('refuses to delete a rule that has targets; after RemoveTargets it is deleted and forwards nothing', async () => {
    await expect(
      client.send(new DeleteRuleCommand({ Name: 'plinth-dest-acme', EventBusName })),
    ).rejects.toThrow(/has targets/);

    await client.send(
      new RemoveTargetsCommand({ Rule: 'plinth-dest-acme', EventBusName, Ids: ['tenant-bus'] }),
    );
    await client.send(new DeleteRuleCommand({ Name: 'plinth-dest-acme', EventBusName }));
    const before = bus.forwarded().length;
    await publish('ten_acme', 'tenant.updated');

    expect(bus.forwarded()).toHaveLength(before);
    await expect(
      client.send(new DescribeRuleCommand({ Name: 'plinth-dest-acme', EventBusName })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses what EventBridge refuses: a bad pattern, a missing rule, another bus', async () => {
    await expect(
      client.send(new PutRuleCommand({ Name: 'bad', EventBusName, EventPattern: '{"source":"plinth"}' })),
    ).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(
      client.send(
        new PutTargetsCommand({ Rule: 'missing', EventBusName, Targets: [{ Id: 't', Arn: tenantBus }] }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(
        new PutRuleCommand({ Name: 'x', EventBusName: 'other-bus', EventPattern: tenantPattern('t') }),
      ),
    ).rejects.toThrow(/Event bus other-bus does not exist/);
  });

  it('reports a target that cannot be reached from one machine as a failed entry', async () => {
    await client.send(
      new PutRuleCommand({ Name: 'to-queue', EventBusName, EventPattern: tenantPattern('t') }),
    );

    const result = await client.send(
      new PutTargetsCommand({
        Rule: 'to-queue',
        EventBusName,
        Targets: [{ Id: 'queue', Arn: 'arn:aws:sqs:us-east-1:000000000000:somewhere' }],
      }),
    );

    expect(result.FailedEntryCount).toBe(1);
    expect(result.FailedEntries?.[0]).toMatchObject({ TargetId: 'queue', ErrorCode: 'ValidationException' });
  });

  it("keeps a forward's retry policy and dead-letter queue, and refuses one EventBridge would", async () => {
    await client.send(new PutRuleCommand({ Name: 'kept', EventBusName, EventPattern: tenantPattern('t') }));
    const settings = {
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:plinth-event-destination-failures' },
    };

    const kept = await client.send(
      new PutTargetsCommand({
        Rule: 'kept',
        EventBusName,
        Targets: [{ Id: 'bus', Arn: tenantBus, ...settings }],
      }),
    );
    const refused = client.send(
      new PutTargetsCommand({
        Rule: 'kept',
        EventBusName,
        Targets: [{ Id: 'bus', Arn: tenantBus, RetryPolicy: { MaximumRetryAttempts: 186 } }],
      }),
    );

    expect(kept.FailedEntryCount).toBe(0);
    await expect(refused).rejects.toMatchObject({ name: 'ValidationException' });
    const targets = await client.send(new ListTargetsByRuleCommand({ Rule: 'kept', EventBusName }));
    expect(targets.Targets?.[0]).toMatchObject(settings);
  });
});
