// The deployment's keys, declared once: the data stack makes a Secrets Manager secret of each, a
// function whose manifest lists a key is granted it and told its ARN in `<VARIABLE>_ARN`, and the
// local runtime generates each and passes it by value in `<VARIABLE>`. Functions read them through
// key rings (key-ring.ts).
import * as z from 'zod';
import { minKeyLength } from '../crypto/key-set.ts';

export interface DeploymentKeyDeclaration {
  /** The variable that carries the key by value (one machine); `<variable>_ARN` names the secret (AWS). */
  readonly variable: string;
  /** The secret's construct id in the data stack: a contract, since a new id is a new secret. */
  readonly constructId: string;
  readonly description: string;
  /**
   * Whether the secret may hold a key set with a previous key (see libs/crypto/key-set.ts). A key
   * whose sealed values live on (webhook signing secrets, OIDC client secrets) cannot: what it sealed would become
   * unreadable when the grace ended.
   */
  readonly rotates: boolean;
}

export const deploymentKeys = {
  cursor: {
    variable: 'CURSOR_KEYS',
    constructId: 'CursorSecret',
    description: 'Signs Plinth pagination cursors',
    rotates: true,
  },
  idempotency: {
    variable: 'IDEMPOTENCY_KEYS',
    constructId: 'IdempotencyKeys',
    description: 'Seals the responses Plinth keeps to replay Idempotency-Key requests',
    rotates: true,
  },
  mail: {
    variable: 'MAIL_KEYS',
    constructId: 'MailKeys',
    description:
      'Seals the bodies of Plinth mail items (invitation tokens, verification codes) until they are sent',
    rotates: true,
  },
  webhookSecret: {
    variable: 'WEBHOOK_SECRET_KEY',
    constructId: 'WebhookSecretKey',
    description: 'Encrypts webhook signing secrets at rest',
    rotates: false,
  },
  ssoSecret: {
    variable: 'SSO_SECRET_KEY',
    constructId: 'SsoSecretKey',
    description: "Encrypts SSO connections' client secrets at rest",
    rotates: false,
  },
} as const satisfies Record<string, DeploymentKeyDeclaration>;

export type DeploymentKey = keyof typeof deploymentKeys;

export const deploymentKeyNames = Object.keys(deploymentKeys) as DeploymentKey[];

/** `CURSOR_KEYS_ARN`: where a function on AWS finds the secret's ARN. */
export function keyArnVariable(name: DeploymentKey): string {
  return `${deploymentKeys[name].variable}_ARN`;
}

/** What a function that reads `names` needs in its environment: each key by value or by ARN. */
export function keyEnvSchema(...names: DeploymentKey[]) {
  const shape: Record<string, z.ZodOptional<z.ZodString>> = {};
  for (const name of names) {
    shape[deploymentKeys[name].variable] = z.string().min(minKeyLength).optional();
    shape[keyArnVariable(name)] = z.string().min(1).optional();
  }
  return z.object(shape).superRefine((env, ctx) => {
    for (const name of names) {
      const { variable } = deploymentKeys[name];
      if (env[variable] === undefined && env[keyArnVariable(name)] === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `set ${variable} or ${keyArnVariable(name)}`,
          path: [variable],
        });
      }
    }
  });
}
