// What the data stacks hold for events leaving Plinth: the schema registry of the catalog, the
// Scheduler group and role for long delays, the key sealing webhook secrets, and the role that
// forwards a tenant's events to its own bus without leaving the residency zone.
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import * as z from 'zod';
import { eventCatalog, eventTypes } from '../../events/catalog.ts';
import { eventBridgeEventSchema } from '../../infra/constructs/event-schema-registry.ts';
import { configuredRegions, regionalTemplates, logicalIdOf, resourcesOfType } from './support.ts';

const regional = regionalTemplates('data');
const template = (region: string): Template => regional.template(region);

beforeAll(() => configuredRegions.forEach(template));

type Json = Record<string, unknown>;

const zonePattern: Record<string, string> = { 'us-east-1': 'us-*', 'eu-central-1': 'eu-*' };

describe.each(configuredRegions)('data stack in %s', (region) => {
  test('publishes one schema per catalog event type to the plinth-events registry', () => {
    const t = template(region);
    const registryId = logicalIdOf(t, 'AWS::EventSchemas::Registry', 'EventSchemasRegistry');
    t.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'plinth-events' });
    const schemas = Object.values(resourcesOfType(t, 'AWS::EventSchemas::Schema'));
    expect(schemas.map((s) => s.Properties?.SchemaName).sort()).toEqual(
      eventTypes.map((type) => `plinth@${type}`).sort(),
    );
    for (const schema of schemas) {
      expect(schema.Properties).toMatchObject({
        Type: 'JSONSchemaDraft4',
        RegistryName: { 'Fn::GetAtt': [registryId, 'RegistryName'] },
      });
      expect((schema.Properties?.Description as string).length).toBeLessThanOrEqual(256);
    }
  });

  test("each schema is the EventBridge envelope around Plinth's event, whose data is the type's zod schema", () => {
    const schemas = Object.values(resourcesOfType(template(region), 'AWS::EventSchemas::Schema'));
    for (const type of eventTypes) {
      const schema = schemas.find((s) => s.Properties?.SchemaName === `plinth@${type}`);
      const content = JSON.parse(schema?.Properties?.Content as string) as Json;
      expect(content.$schema, type).toBe('http://json-schema.org/draft-04/schema#');
      const envelope = content.properties as Record<string, Json>;
      expect(envelope['detail-type'], type).toEqual({ type: 'string', enum: [type] });
      expect(envelope.source, type).toEqual({ type: 'string', enum: ['plinth'] });
      expect(content.required, type).toEqual(expect.arrayContaining(['detail-type', 'source', 'detail']));
      const detail = envelope.detail as { properties: Record<string, Json>; required: string[] };
      expect(detail.required, type).toEqual(
        expect.arrayContaining(['id', 'type', 'version', 'tenantId', 'actor', 'occurredAt', 'data']),
      );
      expect(detail.properties.version, type).toEqual({ type: 'number', enum: [eventCatalog[type].version] });
      const { $schema: _, ...data } = z.toJSONSchema(eventCatalog[type].schema, { target: 'draft-04' });
      expect(detail.properties.data, type).toEqual(data);
    }
  });

  test('the Scheduler group for long delays is named and kept, and only its schedules in this account may use its role', () => {
    const t = template(region);
    const groupId = logicalIdOf(t, 'AWS::Scheduler::ScheduleGroup', 'DelaysGroup');
    t.hasResource('AWS::Scheduler::ScheduleGroup', {
      DeletionPolicy: 'Retain',
      Properties: { Name: 'plinth-delays' },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } },
            },
          }),
        ],
      },
    });
  });

  test('the Scheduler role may only send messages, and only to work queues', () => {
    const t = template(region);
    const queueArns = Object.keys(resourcesOfType(t, 'AWS::SQS::Queue')).map((id) => ({
      'Fn::GetAtt': [id, 'Arn'],
    }));
    const policies = Object.entries(resourcesOfType(t, 'AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('DelaysRole'),
    );
    for (const [, policy] of policies) {
      const statements = (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement;
      for (const statement of statements) {
        expect(statement.Action).toBe('sqs:SendMessage');
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of resources) expect(queueArns).toContainEqual(resource);
      }
    }
  });

  test('the webhook secret key is a generated 64-character secret, kept on delete', () => {
    const t = template(region);
    const keyId = logicalIdOf(t, 'AWS::SecretsManager::Secret', 'WebhookSecretKey');
    const key = resourcesOfType(t, 'AWS::SecretsManager::Secret')[keyId];
    expect(key?.DeletionPolicy).toBe('Retain');
    expect(key?.Properties?.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
  });

  test("the event destination role forwards only to buses in this region's residency zone, for destination rules only", () => {
    const t = template(region);
    const roleId = logicalIdOf(t, 'AWS::IAM::Role', 'EventDestinationsRole');
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      `arn:aws:events:${region}:`,
                      { Ref: 'AWS::AccountId' },
                      ':rule/plinth-events/plinth-dest-*',
                    ],
                  ],
                },
              },
            },
          }),
        ],
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: `arn:aws:events:${zonePattern[region]}:*:event-bus/*`,
          },
        ],
      },
    });
  });
});

test('the schema of an event type that cannot be expressed as JSON Schema fails synth, naming the type', () => {
  const definition = { version: 1, description: 'x', schema: z.strictObject({ at: z.date() }) };
  expect(() => eventBridgeEventSchema('thing.dated', definition, 'plinth')).toThrow(/event thing.dated/);
});
