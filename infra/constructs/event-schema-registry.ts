// Publishes the event catalog to an EventBridge schema registry, one schema per event type, so
// integrations can download code bindings. Each schema is the whole EventBridge event as a rule or
// consumer receives it: the envelope, with Plinth's event (and the type's own data) as `detail`.
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import * as z from 'zod';
import type { EventDefinition } from '../../events/definition.ts';
import { actorSchema } from '../../events/envelope.ts';

/** A timestamp as code generators know it, without zod's long validation pattern. */
const timestamp = z.string().meta({ format: 'date-time' });

/** The schema of one event type as EventBridge delivers it; JSON Schema draft 4, which the registry accepts. */
export function eventBridgeEventSchema(
  type: string,
  definition: EventDefinition,
  source: string,
): Record<string, unknown> {
  const detail = z.strictObject({
    id: z.string().describe('The event id (a ULID), the same in every delivery of this event.'),
    type: z.literal(type),
    version: z.literal(definition.version),
    tenantId: z.string(),
    actor: actorSchema,
    occurredAt: timestamp,
    data: definition.schema,
  });
  // Loose: EventBridge adds fields of its own to some deliveries (`replay-name` on a replay).
  const event = z
    .looseObject({
      version: z.string(),
      id: z.string(),
      'detail-type': z.literal(type),
      source: z.literal(source),
      account: z.string(),
      time: timestamp,
      region: z.string(),
      resources: z.array(z.string()),
      detail,
    })
    .describe(definition.description);
  try {
    return { ...z.toJSONSchema(event, { target: 'draft-04' }), title: type };
  } catch (error) {
    throw new Error(
      `event ${type}: its schema cannot be published as JSON Schema (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

export interface EventSchemaRegistryProps {
  readonly registryName: string;
  /** Event types and their definitions, e.g. `eventCatalog` from events/catalog.ts. */
  readonly catalog: Readonly<Record<string, EventDefinition>>;
  /** The `source` of every event, e.g. `plinth`. */
  readonly source: string;
}

export class EventSchemaRegistry extends Construct {
  readonly registry: eventschemas.CfnRegistry;
  /** By event type. */
  readonly schemas: ReadonlyMap<string, eventschemas.CfnSchema>;

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: `Plinth events (source ${props.source}), one schema per event type`,
    });
    const schemas = new Map<string, eventschemas.CfnSchema>();
    for (const [type, definition] of Object.entries(props.catalog)) {
      schemas.set(
        type,
        new eventschemas.CfnSchema(this, `Schema-${type}`, {
          // The attribute, not the literal name, so each schema waits for the registry.
          registryName: this.registry.attrRegistryName,
          schemaName: `${props.source}@${type}`,
          type: 'JSONSchemaDraft4',
          description: `${definition.description} (version ${definition.version})`,
          content: JSON.stringify(eventBridgeEventSchema(type, definition, props.source)),
        }),
      );
    }
    this.schemas = schemas;
  }
}
