// Every bounded context of Plinth. The CDK stacks, the local runtime and the OpenAPI document read this list.
import type { ContextManifest } from '../libs/manifest/types.ts';
import { manifest as docs } from './docs/manifest.ts';
import { manifest as jobs } from './jobs/manifest.ts';
import { manifest as outbox } from './outbox/manifest.ts';
import { manifest as tenants } from './tenants/manifest.ts';

export const contexts: readonly ContextManifest[] = [tenants, docs, outbox, jobs];

/** The API Gateway REQUEST authorizer: verifies credentials and loads the caller's tenant. */
export const authorizer = {
  name: 'authorizer',
  entry: 'functions/authorizer/handler.ts',
  handler: 'handler',
  access: { table: 'readwrite', directory: 'read', userPool: 'read' },
} as const;
