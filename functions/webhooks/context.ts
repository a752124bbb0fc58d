// What the webhooks routes are given: stores, the secret box, the URL guard's resolver, the rules
// that forward events to tenants' buses, and the cursor codec.
import type { CursorCodec } from '../../libs/http/cursor.ts';
import type { WebhooksConfig } from './config.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { DestinationRules } from './destinations.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { WebhookStore } from './store.ts';
import type { Resolver } from '../../libs/net/url-guard.ts';

export interface WebhooksDeps {
  config: WebhooksConfig;
  store: WebhookStore;
  deliveries: DeliveryStore;
  secretBox: SecretBox;
  rules: DestinationRules;
  cursors: CursorCodec;
  /** @default the operating system's resolver */
  resolve?: Resolver;
  clock: () => Date;
}
