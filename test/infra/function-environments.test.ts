// Every function's cold start parses its environment; this parses the environment each stack gives
// every function with the context's own schema, so an access a manifest forgets fails here, not
// at the first cold start after a deploy.
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { authorizer, contexts } from '../../functions/manifests.ts';
import { deploymentKeys } from '../../libs/config/keys.ts';
import { runtimeEnvSchema } from '../../libs/config/runtime.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import { buildPlinth, configuredRegions, regionalStacks, resourcesOfType } from './support.ts';

/**
 * What CloudFormation fills a reference with, by the variable's kind: the schemas check that a
 * variable is there and well formed, not which queue or secret it names.
 */
function resolved(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (name.endsWith('_URL')) return 'https://sqs.us-east-1.amazonaws.com/123456789012/resolved';
  if (name.endsWith('_ARN')) return 'arn:aws:secretsmanager:us-east-1:123456789012:secret:resolved';
  if (name === 'USER_POOL_ID') return 'us-east-1_Resolved1';
  return 'resolved-by-cloudformation';
}

interface DeployedFunction {
  region: string;
  logicalId: string;
  service: string;
  exportName: string;
  environment: Record<string, string>;
}

function deployedFunctions(manifests: readonly ContextManifest[]): DeployedFunction[] {
  const plinth = buildPlinth({ contexts: manifests });
  return configuredRegions.flatMap((region) => {
    const { data, api } = regionalStacks(plinth, region);
    return [data, api].flatMap((stack) =>
      Object.entries(resourcesOfType(Template.fromStack(stack), 'AWS::Lambda::Function'))
        .map(([logicalId, fn]) => {
          const variables =
            (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
            {};
          return {
            region,
            logicalId,
            service:
              typeof variables.POWERTOOLS_SERVICE_NAME === 'string' ? variables.POWERTOOLS_SERVICE_NAME : '',
            exportName: String(fn.Properties?.Handler).replace(/^index\./, ''),
            environment: Object.fromEntries(
              Object.entries(variables).map(([name, value]) => [name, resolved(name, value)]),
            ),
          };
        })
        // Functions CDK adds on its own (custom resources) are no context's.
        .filter((fn) => fn.service !== ''),
    );
  });
}

function schemaOf(manifests: readonly ContextManifest[], fn: DeployedFunction): z.core.$ZodType {
  if (fn.service === authorizer.name) return authorizer.environment;
  const context = manifests.find((c) => c.name === fn.service);
  if (!context) throw new Error(`a function serves "${fn.service}", which is no context`);
  const declared = context.environment ?? runtimeEnvSchema;
  return typeof declared === 'function' ? declared(fn.exportName) : declared;
}

function problemsOf(manifests: readonly ContextManifest[]): string[] {
  return deployedFunctions(manifests).flatMap((fn) => {
    const parsed = z.safeParse(schemaOf(manifests, fn), fn.environment);
    return parsed.success
      ? []
      : [
          `${fn.region} ${fn.logicalId} (${fn.service}.${fn.exportName}): ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
        ];
  });
}

describe("each function's environment on AWS", () => {
  it('is what its own handlers parse at cold start, in every region', () => {
    const functions = deployedFunctions(contexts);
    expect(new Set(functions.map((f) => f.service))).toEqual(
      new Set([
        authorizer.name,
        ...contexts.filter((c) => c.routes.length > 0 || c.streams || c.queues).map((c) => c.name),
      ]),
    );
    expect(problemsOf(contexts)).toEqual([]);
  });

  it('fails for a context whose manifest forgets an access its handlers need', () => {
    const forgetful = contexts.map((c) =>
      c.name === 'webhooks' ? { ...c, access: { ...c.access, queues: [] } } : c,
    );
    expect(problemsOf(forgetful).join('\n')).toMatch(/\(webhooks\.\w+\): .*WEBHOOK_DELIVERIES_QUEUE_URL/);
  });

  // Each key dropped on its own from each context that declares it: its functions' schemas miss it.
  const declaredKeys = contexts.flatMap((c) =>
    (c.access.keys ?? []).map((key) => ({ context: c.name, key })),
  );
  it.each(declaredKeys)('fails when $context forgets the $key key', ({ context, key }) => {
    const forgetful = contexts.map((c) =>
      c.name === context
        ? { ...c, access: { ...c.access, keys: (c.access.keys ?? []).filter((k) => k !== key) } }
        : c,
    );
    const problems = problemsOf(forgetful).join('\n');
    expect(problems).toContain(`(${context}.`);
    expect(problems).toContain(deploymentKeys[key].variable);
  });
});
