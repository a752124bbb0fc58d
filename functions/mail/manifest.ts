// The mail context: sends the mail items that other contexts write in their transactions, and
// emails a tenant's owners and admins about things they must act on.
import { eventSource } from '../../events/catalog.ts';
import { defineContext } from '../../libs/manifest/types.ts';
import { keyEnvSchema } from '../../libs/config/keys.ts';
import { runtimeEnvSchema } from '../../libs/config/runtime.ts';
import { mailEnvSchema } from './env.ts';

export const manifest = defineContext({
  name: 'mail',
  description: 'Sends outbox mail items through SES and emails notices to tenant owners and admins',
  entry: 'functions/mail/handler.ts',
  routes: [],
  streams: [
    // Small batches: a failing send is retried from its own record, re-sending few others.
    { consumer: 'send', batchSize: 10, entity: 'mail', eventNames: ['INSERT'], maxRetryAttempts: 6 },
  ],
  rules: [
    {
      name: 'endpoint-disabled-notice',
      description: "Emails the tenant's owners and admins when Plinth disables a failing webhook endpoint",
      // A person who disabled an endpoint by hand knows; only a disabled failing endpoint is news.
      pattern: {
        source: [eventSource],
        'detail-type': ['endpoint.disabled'],
        detail: { data: { reason: ['failing'] } },
      },
      target: { consumer: 'notifyEndpointDisabled' },
    },
  ],
  access: { table: 'readwrite', mail: true, keys: ['mail'] },
  environment: runtimeEnvSchema.and(keyEnvSchema('mail')).and(mailEnvSchema),
  timeoutSeconds: 60,
});
