// A deployment key as a function reads it: given by value on one machine, fetched through Powertools
// Parameters on AWS and fetched again every few minutes, so a rotated key set takes effect without
// a deploy, and a failed fetch fails the invocation that needed it rather than the cold start.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MiddlewareObj } from '@middy/core';
import { createSecretsManagerClient } from '../aws/clients.ts';
import { parseKeySet, type KeySet } from '../crypto/key-set.ts';
import { deploymentKeys, keyArnVariable, type DeploymentKey } from './keys.ts';

export interface KeyRing {
  readonly name: DeploymentKey;
  /** The key set as last loaded; throws before the first load succeeded. */
  readonly keys: () => KeySet;
  /**
   * Loads the key set: the value given in the environment, or the secret through Powertools
   * Parameters, fetched again at most once per `maxAgeSeconds`. A failed fetch throws only while
   * no set was ever loaded; later, the last set stays in use and `onRefreshFailure` hears of it.
   */
  readonly load: () => Promise<KeySet>;
}

export interface KeyRingOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where secrets are fetched from on AWS; built from `secretsClient` when not given. */
  secrets?: SecretsProvider;
  /** The client Powertools fetches with (libs/aws/clients.ts). */
  secretsClient?: SecretsManagerClient;
  /**
   * How long a fetched set is used before it is fetched again: a rotation reaches every container
   * within this time (see README, Keys and rotation).
   * @default 300
   */
  maxAgeSeconds?: number;
  onRefreshFailure?: (name: DeploymentKey, error: unknown) => void;
}

/** How long a container uses a key set before it reads it again; rotations are planned around it. */
export const keyRefreshSeconds = 300;

function checkedKeySet(name: DeploymentKey, raw: string): KeySet {
  let set: KeySet;
  try {
    set = parseKeySet(raw);
  } catch (error) {
    throw new Error(`deployment key ${name}: ${(error as Error).message}`, { cause: error });
  }
  if (!deploymentKeys[name].rotates && set.previous !== undefined) {
    throw new Error(`deployment key ${name} does not rotate; store a single key, without "previous"`);
  }
  return set;
}

export function createKeyRing(name: DeploymentKey, options: KeyRingOptions = {}): KeyRing {
  const env = options.env ?? process.env;
  const declaration = deploymentKeys[name];
  const given = env[declaration.variable];
  if (given !== undefined) {
    const set = checkedKeySet(name, given);
    return { name, keys: () => set, load: () => Promise.resolve(set) };
  }
  const arn = env[keyArnVariable(name)];
  if (!arn)
    throw new Error(`deployment key ${name} missing: set ${declaration.variable} or ${keyArnVariable(name)}`);

  const maxAge = options.maxAgeSeconds ?? keyRefreshSeconds;
  let provider = options.secrets;
  let loaded: { raw: string; set: KeySet } | undefined;
  return {
    name,
    keys: () => {
      if (!loaded) throw new Error(`deployment key ${name} is not loaded yet`);
      return loaded.set;
    },
    load: async () => {
      provider ??= new SecretsProvider(
        options.secretsClient ? { awsSdkV3Client: options.secretsClient } : undefined,
      );
      try {
        const raw = await provider.get(arn, { maxAge });
        if (typeof raw !== 'string') throw new Error(`secret ${arn} has no string value`);
        if (loaded?.raw !== raw) loaded = { raw, set: checkedKeySet(name, raw) };
        return loaded.set;
      } catch (error) {
        if (!loaded) throw error;
        options.onRefreshFailure?.(name, error);
        return loaded.set;
      }
    },
  };
}

/**
 * One ring per named key, fetching through one Powertools provider over the region's Secrets Manager
 * client; a refresh that fails while an earlier set is still in use is logged as a warning.
 */
export function createKeyRings<Name extends DeploymentKey>(
  names: readonly Name[],
  options: {
    region: string;
    logger?: { warn(message: string, extra: Record<string, unknown>): void };
    env?: NodeJS.ProcessEnv;
    secretsClient?: SecretsManagerClient;
    /** @default keyRefreshSeconds */
    maxAgeSeconds?: number;
  },
): Record<Name, KeyRing> {
  const env = options.env ?? process.env;
  // Built only where a key is fetched (AWS); on one machine every key is given by value.
  const fetched = names.some((name) => env[deploymentKeys[name].variable] === undefined);
  const secrets = fetched
    ? new SecretsProvider({
        awsSdkV3Client: options.secretsClient ?? createSecretsManagerClient(options.region),
      })
    : undefined;
  const onRefreshFailure = (name: DeploymentKey, error: unknown) =>
    options.logger?.warn('deployment key not refreshed; the last one loaded stays in use', {
      key: name,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  return Object.fromEntries(
    names.map((name) => [
      name,
      createKeyRing(name, {
        env,
        ...(secrets ? { secrets } : {}),
        ...(options.maxAgeSeconds !== undefined ? { maxAgeSeconds: options.maxAgeSeconds } : {}),
        onRefreshFailure,
      }),
    ]),
  ) as Record<Name, KeyRing>;
}

/**
 * Loads the rings before the handler runs, as the first thing a consumer does: a key that cannot be
 * fetched fails this invocation (its batch is retried), not the container's cold start.
 */
export function keysLoaded(rings: readonly KeyRing[]): MiddlewareObj {
  return {
    before: async () => {
      await Promise.all(rings.map((ring) => ring.load()));
    },
  };
}
