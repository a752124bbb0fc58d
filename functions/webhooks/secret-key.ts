// The key that seals webhook signing secrets: given directly on one machine, read once from Secrets
// Manager on AWS.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

// One fetch per key and container; a failed fetch is forgotten so the next invocation tries again.
const fetched = new Map<string, Promise<string>>();

/** The key as given (local), else the Secrets Manager secret named by `keyArn` (AWS), fetched once. */
export async function resolveWebhookSecretKey(
  config: { key?: string | undefined; keyArn?: string | undefined; region: string },
  secretsClient?: SecretsManagerClient,
): Promise<string> {
  if (config.key) return config.key;
  const arn = config.keyArn;
  if (!arn) throw new Error('webhook secret key missing: set WEBHOOK_SECRET_KEY or WEBHOOK_SECRET_KEY_ARN');
  let key = fetched.get(arn);
  if (!key) {
    const client = secretsClient ?? new SecretsManagerClient({ region: config.region });
    key = client.send(new GetSecretValueCommand({ SecretId: arn })).then((result) => {
      if (!result.SecretString) throw new Error(`webhook secret key ${arn} has no string value`);
      return result.SecretString;
    });
    fetched.set(arn, key);
    key.catch(() => fetched.delete(arn));
  }
  return key;
}
