// Event destinations: which bus ARNs a tenant may target, and the EventBridge calls that forward its events.
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkDestinationArn,
  createDestinationRules,
  parseEventBusArn,
  residencyZoneOfRegion,
} from '../../../functions/webhooks/destinations.ts';
import { Problem } from '../../../libs/http/problem.ts';

function problemOf(run: () => unknown): Problem {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('parseEventBusArn', () => {
  it('reads partition, region, account and bus name', () => {
    expect(parseEventBusArn('arn:aws:events:eu-west-1:111122223333:event-bus/orders')).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111122223333',
      busName: 'orders',
    });
    expect(
      parseEventBusArn('arn:aws-us-gov:events:us-gov-west-1:111122223333:event-bus/a.b-c_d')?.region,
    ).toBe('us-gov-west-1');
  });

  it.each([
    'arn:aws:sqs:eu-west-1:111122223333:queue',
    'arn:aws:events:eu-west-1:111122223333:rule/orders',
    'arn:aws:events:eu-west-1:1111:event-bus/orders',
    'arn:aws:events::111122223333:event-bus/orders',
    'arn:aws:events:eu-west-1:111122223333:event-bus/',
    'arn:aws:events:eu-west-1:111122223333:event-bus/orders extra',
  ])('refuses %s', (arn) => {
    expect(parseEventBusArn(arn)).toBeUndefined();
  });
});

describe('residencyZoneOfRegion', () => {
  it('puts eu-* in EU, us-* in US and every other region in no zone', () => {
    expect(
      ['eu-central-1', 'eu-south-2', 'us-east-1', 'us-gov-west-1', 'ap-south-1', 'ca-central-1'].map(
        residencyZoneOfRegion,
      ),
    ).toEqual(['EU', 'EU', 'US', 'US', undefined, undefined]);
  });
});

describe('checkDestinationArn', () => {
  const plinthAccount = '999988887777';

  it('accepts a bus of another account in the home zone', () => {
    expect(
      checkDestinationArn('arn:aws:events:eu-west-3:111122223333:event-bus/x', 'EU', plinthAccount).region,
    ).toBe('eu-west-3');
  });

  it('refuses a bus in another zone with 422 outside_residency_zone, naming region and zone', () => {
    const problem = problemOf(() =>
      checkDestinationArn('arn:aws:events:us-east-1:111122223333:event-bus/x', 'EU', plinthAccount),
    );

    expect([problem.status, problem.code, problem.extensions]).toEqual([
      422,
      'outside_residency_zone',
      { region: 'us-east-1', zone: 'EU' },
    ]);
  });

  it('refuses a region in no zone Plinth serves', () => {
    const problem = problemOf(() =>
      checkDestinationArn('arn:aws:events:ap-northeast-1:111122223333:event-bus/x', 'US', plinthAccount),
    );

    expect(problem.detail).toContain('ap-northeast-1 is in no zone Plinth serves');
  });

  it('refuses a malformed ARN as a field error', () => {
    const problem = problemOf(() => checkDestinationArn('not-an-arn', 'US', plinthAccount));

    expect(problem.errors?.map((e) => [e.path, e.code])).toEqual([['body.eventBusArn', 'invalid_arn']]);
  });

  it("refuses a bus in Plinth's own account", () => {
    const problem = problemOf(() =>
      checkDestinationArn(`arn:aws:events:us-east-1:${plinthAccount}:event-bus/plinth`, 'US', plinthAccount),
    );

    expect(problem.code).toBe('destination_not_allowed');
  });
});

describe('createDestinationRules', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const rules = createDestinationRules(new EventBridgeClient({ region: 'us-east-1' }), {
    busName: 'plinth-bus',
    deadLetterArn: 'arn:aws:sqs:us-east-1:999988887777:plinth-event-destination-failures',
  });
  const rule = {
    name: 'plinth-dest-dst_01J00000000000000000000000',
    tenantId: 'ten_01J00000000000000000000000',
    eventBusArn: 'arn:aws:events:us-east-2:111122223333:event-bus/orders',
    roleArn: 'arn:aws:iam::999988887777:role/destinations',
  };

  beforeEach(() => {
    eventBridge.reset();
    eventBridge.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
  });

  it("puts a rule on Plinth's bus matching only the tenant's Plinth events, targeting its bus with the role", async () => {
    await rules.put(rule);

    const putRule = eventBridge.commandCalls(PutRuleCommand)[0]?.args[0].input;
    expect([putRule?.Name, putRule?.EventBusName, putRule?.State]).toEqual([
      rule.name,
      'plinth-bus',
      'ENABLED',
    ]);
    expect(JSON.parse(putRule?.EventPattern ?? '')).toEqual({
      source: ['plinth'],
      detail: { tenantId: [rule.tenantId] },
    });
    expect(eventBridge.commandCalls(PutTargetsCommand)[0]?.args[0].input).toEqual({
      Rule: rule.name,
      EventBusName: 'plinth-bus',
      Targets: [
        {
          Id: 'tenant-bus',
          Arn: rule.eventBusArn,
          RoleArn: rule.roleArn,
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:999988887777:plinth-event-destination-failures' },
        },
      ],
    });
  });

  it('fails when EventBridge reports the target as failed', async () => {
    eventBridge.on(PutTargetsCommand).resolves({
      FailedEntryCount: 1,
      FailedEntries: [
        { TargetId: 'tenant-bus', ErrorCode: 'ValidationException', ErrorMessage: 'bad target' },
      ],
    });

    await expect(rules.put(rule)).rejects.toThrow(
      'EventBridge refused the target: ValidationException bad target',
    );
  });

  it('removes the target before the rule, and a rule already gone is no error', async () => {
    eventBridge
      .on(RemoveTargetsCommand)
      .rejects(new ResourceNotFoundException({ message: 'Rule does not exist', $metadata: {} }));
    eventBridge.on(DeleteRuleCommand).resolves({});

    await rules.remove(rule.name);

    expect(eventBridge.commandCalls(RemoveTargetsCommand)[0]?.args[0].input).toEqual({
      Rule: rule.name,
      EventBusName: 'plinth-bus',
      Ids: ['tenant-bus'],
    });
    expect(eventBridge.commandCalls(DeleteRuleCommand)[0]?.args[0].input).toEqual({
      Name: rule.name,
      EventBusName: 'plinth-bus',
    });
  });

  it('other EventBridge errors on removal are passed on', async () => {
    eventBridge.on(RemoveTargetsCommand).rejects(new Error('throttled'));

    await expect(rules.remove(rule.name)).rejects.toThrow('throttled');
  });
});
