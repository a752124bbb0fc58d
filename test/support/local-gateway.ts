// Starts the local API Gateway on a free port in front of stand-in modules: `entry` → its exports.
// The authorizer is the `handler` export of `test/authorizer.ts`.
import { startApiGateway, type ApiGateway } from '../../infra/local/api-gateway.ts';
import { createFunctionHost } from '../../infra/local/functions.ts';
import { silentLog } from '../../infra/local/log.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';

export const testAuthorizerEntry = 'test/authorizer.ts';

export function startTestGateway(
  contexts: readonly ContextManifest[],
  modules: Record<string, Record<string, unknown>>,
): Promise<ApiGateway> {
  return startApiGateway({
    contexts,
    authorizer: { name: 'authorizer', entry: testAuthorizerEntry, handler: 'handler', access: {} },
    functions: createFunctionHost({
      region: 'us-east-1',
      namePrefix: 'test',
      load: (entry) => {
        const found = modules[entry];
        return found ? Promise.resolve(found) : Promise.reject(new Error(`no test module ${entry}`));
      },
    }),
    region: 'us-east-1',
    log: silentLog,
    port: 0,
  });
}
