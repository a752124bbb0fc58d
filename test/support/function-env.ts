// The environment a Plinth function expects (libs/config/runtime.ts), for tests that import handlers.
import { parseDeploymentConfig } from '../../libs/config/deployment.ts';
import deployment from '../../infra/plinth.config.ts';
import { testMailKey } from './mail.ts';

export function functionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PLINTH_DEPLOYMENT: JSON.stringify(parseDeploymentConfig(deployment)),
    PLINTH_REGION: 'us-east-1',
    TABLE_NAME: 'plinth-unit',
    DIRECTORY_TABLE_NAME: 'plinth-unit-directory',
    EVENT_BUS_NAME: 'plinth-unit-bus',
    CURSOR_KEYS: 'unit-test-cursor-keys-0123456789abcdef0123456789',
    IDEMPOTENCY_KEYS: 'unit-test-idempotency-keys-0123456789abcdef0123456789',
    MAIL_KEYS: testMailKey,
    USER_POOL_ID: 'us-east-1_UnitTest1',
    USER_POOL_CLIENT_IDS: 'unit-first-party-client,unit-console-client',
    MAIL_FROM: 'Plinth <no-reply@example.com>',
    WEBHOOK_SECRET_KEY: 'unit-test-webhook-key-0123456789abcdef0123456789',
    SSO_SECRET_KEY: 'unit-test-sso-secret-key-0123456789abcdef0123456789',
    WEBHOOK_DELIVERIES_QUEUE_URL: 'http://sqs.us-east-1.localhost/000000000000/plinth-webhook-deliveries',
    WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:plinth-webhook-deliveries',
    WEBHOOK_DELIVERIES_DLQ_URL: 'http://sqs.us-east-1.localhost/000000000000/plinth-webhook-deliveries-dlq',
    JOBS_QUEUE_URL: 'http://sqs.us-east-1.localhost/000000000000/plinth-jobs',
    SCHEDULE_GROUP_NAME: 'plinth-delays',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/plinth-scheduler',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...overrides,
  };
}

/** Sets the function environment, for handler modules that read it at import time. */
export function useFunctionEnv(overrides: Record<string, string> = {}): void {
  Object.assign(process.env, functionEnv(overrides));
}
