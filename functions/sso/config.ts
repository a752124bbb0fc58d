// The SSO functions' environment beyond the shared API runtime: the user pool SSO users sign in to,
// the key that seals OIDC client secrets, and on one machine only, the DNS servers that answer domain
// verification lookups.
import * as z from 'zod';
import { keyEnvSchema } from '../../libs/config/keys.ts';
import { loadRuntimeConfig, runtimeEnvSchema, type RuntimeConfig } from '../../libs/config/runtime.ts';
import type { UrlGuardPolicy } from '../../libs/net/url-guard.ts';

const ssoOwnEnvSchema = z
  .object({
    /** Comma-separated `host:port` DNS servers for TXT lookups; honoured with PLINTH_LOCAL=true only. */
    DNS_SERVERS: z
      .string()
      .regex(/^[^,\s]+(,[^,\s]+)*$/, 'must be comma-separated host:port servers')
      .transform((servers) => servers.split(','))
      .optional(),
    PLINTH_LOCAL: z.enum(['true', 'false']).default('false'),
    /** The region's user pool, where SSO users are provisioned and signed in. */
    USER_POOL_ID: z.string().min(1),
    /** The pool's app clients, the first-party client first: custom sign-in goes through it. */
    USER_POOL_CLIENT_IDS: z
      .string()
      .min(1)
      .transform((ids) => ids.split(',')),
  })
  .refine((env) => env.DNS_SERVERS === undefined || env.PLINTH_LOCAL === 'true', {
    message: 'DNS_SERVERS is honoured on one machine only; on AWS the function uses its VPC resolver',
    path: ['DNS_SERVERS'],
  });

export const ssoEnvSchema = runtimeEnvSchema
  .and(keyEnvSchema('cursor', 'idempotency', 'ssoSecret'))
  .and(ssoOwnEnvSchema);

export interface SsoConfig {
  runtime: RuntimeConfig;
  /** Empty: the system's resolver. */
  dnsServers: readonly string[];
  userPoolId: string;
  /** The first-party client, which allows custom authentication. */
  signInClientId: string;
  /** Where OIDC discovery, token and keys requests may go: public addresses, or loopback on one machine. */
  guard: UrlGuardPolicy;
}

export function loadSsoConfig(env: NodeJS.ProcessEnv = process.env): SsoConfig {
  const runtime = loadRuntimeConfig(env);
  const parsed = ssoOwnEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid sso function environment:\n${z.prettifyError(parsed.error)}`);
  const { DNS_SERVERS, USER_POOL_ID, USER_POOL_CLIENT_IDS } = parsed.data;
  return {
    runtime,
    dnsServers: DNS_SERVERS ?? [],
    userPoolId: USER_POOL_ID,
    signInClientId: USER_POOL_CLIENT_IDS[0]!,
    guard: { local: runtime.local },
  };
}
