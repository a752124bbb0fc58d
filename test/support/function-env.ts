// The environment a Plinth function expects (libs/config/runtime.ts), for tests that import handlers.
import { parseDeploymentConfig } from '../../libs/config/deployment.ts';
import deployment from '../../infra/plinth.config.ts';

export function functionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PLINTH_DEPLOYMENT: JSON.stringify(parseDeploymentConfig(deployment)),
    PLINTH_REGION: 'us-east-1',
    TABLE_NAME: 'plinth-unit',
    DIRECTORY_TABLE_NAME: 'plinth-unit-directory',
    EVENT_BUS_NAME: 'plinth-unit-bus',
    CURSOR_SECRET: 'unit-test-cursor-secret-0123456789abcdef0123456789',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...overrides,
  };
}

/** Sets the function environment, for handler modules that read it at import time. */
export function useFunctionEnv(overrides: Record<string, string> = {}): void {
  Object.assign(process.env, functionEnv(overrides));
}
