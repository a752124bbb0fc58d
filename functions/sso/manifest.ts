// The SSO context: the domains a tenant proves it owns, which its SSO connections will sign in.
import { defineContext, defineRoute } from '../../libs/manifest/types.ts';
import { ssoEnvSchema } from './config.ts';
import * as s from './schemas.ts';

const tags = ['SSO: domains'];

export const routes = {
  createDomain: defineRoute({
    operationId: 'createDomain',
    method: 'POST',
    path: '/v1/domains',
    summary: 'Claim a domain; publish the returned TXT record, then verify',
    tags,
    audience: 'tenant',
    permission: 'sso:write',
    request: { body: s.createDomainBody },
    responses: { 201: { description: 'The pending claim and its DNS record', schema: s.domain } },
  }),
  listDomains: defineRoute({
    operationId: 'listDomains',
    method: 'GET',
    path: '/v1/domains',
    summary: "List the tenant's domains, in name order",
    tags,
    audience: 'tenant',
    permission: 'sso:read',
    request: { query: s.pageQuery },
    responses: { 200: { description: 'A page of domains', schema: s.domainPage } },
  }),
  getDomain: defineRoute({
    operationId: 'getDomain',
    method: 'GET',
    path: '/v1/domains/{domain}',
    summary: 'Get a domain claim',
    tags,
    audience: 'tenant',
    permission: 'sso:read',
    request: { params: s.domainPathParams },
    responses: { 200: { description: 'The domain', schema: s.domain } },
  }),
  verifyDomain: defineRoute({
    operationId: 'verifyDomain',
    method: 'POST',
    path: '/v1/domains/{domain}/verify',
    summary: "Check the domain's TXT record now; a verified domain is the tenant's alone",
    tags,
    audience: 'tenant',
    permission: 'sso:write',
    request: { params: s.domainPathParams, body: s.emptyBody },
    responses: { 200: { description: 'The verified domain', schema: s.domain } },
  }),
  deleteDomain: defineRoute({
    operationId: 'deleteDomain',
    method: 'DELETE',
    path: '/v1/domains/{domain}',
    summary: 'Remove a domain claim; a verified domain becomes free for other tenants',
    tags,
    audience: 'tenant',
    permission: 'sso:write',
    request: { params: s.domainPathParams },
    responses: { 204: { description: 'Removed' } },
  }),
};

export const manifest = defineContext({
  name: 'sso',
  description: 'Verified domains for enterprise SSO',
  entry: 'functions/sso/handler.ts',
  apiHandler: 'api',
  routes: Object.values(routes),
  access: { table: 'readwrite', directory: 'readwrite', cursorSecret: true },
  environment: ssoEnvSchema,
});
