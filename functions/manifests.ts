// Every bounded context of Plinth. The CDK stacks, the local runtime and the OpenAPI document read this list.
import type { StandaloneFunctionDeclaration } from '../infra/topology.ts';
import type { ContextManifest } from '../libs/manifest/types.ts';
import { authorizerEnvSchema } from './authorizer/config.ts';
import { manifest as docs } from './docs/manifest.ts';
import { manifest as identity } from './identity/manifest.ts';
import { manifest as invitations } from './invitations/manifest.ts';
import { manifest as jobs } from './jobs/manifest.ts';
import { manifest as mail } from './mail/manifest.ts';
import { manifest as outbox } from './outbox/manifest.ts';
import { manifest as sso } from './sso/manifest.ts';
import { manifest as tenants } from './tenants/manifest.ts';
import { manifest as webhooks } from './webhooks/manifest.ts';

export const contexts: readonly ContextManifest[] = [
  tenants,
  identity,
  invitations,
  webhooks,
  sso,
  docs,
  outbox,
  jobs,
  mail,
];

/** The API Gateway REQUEST authorizer: verifies credentials and loads the caller's tenant. */
export const authorizer = {
  name: 'authorizer',
  entry: 'functions/authorizer/handler.ts',
  handler: 'handler',
  access: { table: 'readwrite', directory: 'read', userPool: 'read' },
  environment: authorizerEnvSchema,
} satisfies StandaloneFunctionDeclaration;
