// The outbox publisher: moves event items written with each mutation from the table's stream to the bus.
import { defineContext } from '../../libs/manifest/types.ts';

export const manifest = defineContext({
  name: 'outbox',
  description: 'Publishes outbox event items from the table stream to the event bus',
  entry: 'functions/outbox/handler.ts',
  routes: [],
  streams: [
    { consumer: 'publish', batchSize: 100, entity: 'event', eventNames: ['INSERT'], maxRetryAttempts: 10 },
  ],
  access: { bus: 'put' },
  timeoutSeconds: 60,
});
