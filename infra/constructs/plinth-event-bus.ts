// The region's event bus, with an archive of every Plinth event so integrations can replay them.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { eventSource } from '../../events/catalog.ts';

export interface PlinthEventBusProps {
  /** Integrations write rules against this name, so it is stable. */
  readonly eventBusName: string;
  /** @default Duration.days(365) */
  readonly archiveRetention?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class PlinthEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: PlinthEventBusProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'Plinth events: every state change, published from the table stream by the outbox',
    });
    this.bus.applyRemovalPolicy(removalPolicy);
    this.archive = this.bus.archive('Archive', {
      description: 'Every Plinth event, for replay',
      eventPattern: { source: [eventSource] },
      retention: props.archiveRetention ?? Duration.days(365),
    });
    this.archive.applyRemovalPolicy(removalPolicy);
  }
}
