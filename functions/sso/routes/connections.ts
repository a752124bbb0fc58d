// SSO connection routes: a tenant admin connects their SAML identity provider from its metadata XML
// (or entity id, SSO URL and certificates), or their OpenID provider by its issuer and a client, and
// gets back what to enter in the IdP. Another tenant's connection is a 404; bad metadata, a bad
// certificate, an issuer whose discovery fails or names another issuer is a 400 naming the field.
import { ulid } from 'ulid';
import type * as z from 'zod';
import { actorOf, tenantIdOf, type CallerContext } from '../../../libs/auth/caller.ts';
import { ownerRole, requireGrantableRoles } from '../../../libs/auth/grants.ts';
import { isBuiltInRole } from '../../../libs/auth/roles.ts';
import { pageBody, positionOf } from '../../../libs/http/pagination.ts';
import { problems } from '../../../libs/http/problem.ts';
import { implement, type BoundRoute } from '../../../libs/http/route.ts';
import type { SsoDeps } from '../context.ts';
import type { ConnectionItem } from '../entities.ts';
import { routes } from '../manifest.ts';
import { DiscoveryError, discoverProvider } from '../oidc.ts';
import { apiBase, connectionResource, oidcOf } from '../present.ts';
import {
  bindings,
  MetadataError,
  parseCertificate,
  parseIdpMetadata,
  type IdpMetadata,
} from '../saml-metadata.ts';
import type * as s from '../schemas.ts';

const defaultMapping = { email: 'email', name: 'name', groups: 'groups' };

/** The IdP settings a request gives, read and checked; a problem names the field that is wrong. */
/** The IdP's metadata from its URL, through the URL guard (public addresses only; loopback locally). */
async function fetchMetadata(fetch: SsoDeps['oidcTransport']['fetch'], url: string): Promise<string> {
  const unreachable = (why: string) =>
    problems.validation([
      { path: 'body.saml.metadataUrl', code: 'metadata_unreachable', message: `${url} ${why}` },
    ]);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
    });
  } catch (error) {
    throw unreachable(`could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status !== 200) throw unreachable(`answered ${response.status}, not 200`);
  return response.text();
}

async function idpSettings(
  saml: z.output<typeof s.samlIdpSettings>,
  fetch: SsoDeps['oidcTransport']['fetch'],
): Promise<IdpMetadata> {
  const fromUrl = 'metadataUrl' in saml;
  const xml = fromUrl
    ? await fetchMetadata(fetch, saml.metadataUrl)
    : 'metadataXml' in saml
      ? saml.metadataXml
      : undefined;
  try {
    if (xml !== undefined) return parseIdpMetadata(xml);
    if (!('entityId' in saml)) throw new Error('unreachable: SAML settings without metadata or entity id');
    return {
      entityId: saml.entityId,
      ssoUrl: saml.ssoUrl,
      ssoBinding: bindings.redirect,
      sloUrl: undefined,
      certificates: saml.certificates.map((text) => parseCertificate(text)),
    };
  } catch (error) {
    if (!(error instanceof MetadataError)) throw error;
    const path =
      xml === undefined
        ? 'body.saml.certificates'
        : fromUrl
          ? 'body.saml.metadataUrl'
          : 'body.saml.metadataXml';
    throw problems.validation([{ path, code: error.code, message: error.message }]);
  }
}

function changesBetween(current: ConnectionItem, next: ConnectionItem) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of [
    'name',
    'enabled',
    'allowIdpInitiated',
    'idpEntityId',
    'ssoUrl',
    'attributeMapping',
    'roleMapping',
    'defaultRoles',
  ] as const) {
    if (JSON.stringify(current[key]) !== JSON.stringify(next[key]))
      changes[key] = { from: current[key], to: next[key] };
  }
  const fingerprints = (item: ConnectionItem) => (item.certificates ?? []).map((c) => c.fingerprint);
  if (JSON.stringify(fingerprints(current)) !== JSON.stringify(fingerprints(next))) {
    changes.certificates = { from: fingerprints(current), to: fingerprints(next) };
  }
  if (current.oidc && next.oidc) {
    for (const key of ['issuer', 'clientId', 'scopes'] as const) {
      if (JSON.stringify(current.oidc[key]) !== JSON.stringify(next.oidc[key]))
        changes[key] = { from: current.oidc[key], to: next.oidc[key] };
    }
    // Which endpoints discovery found is worth an event; the secret only that it was replaced.
    for (const key of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'jwksUri'] as const) {
      if (current.oidc[key] !== next.oidc[key])
        changes[key] = { from: current.oidc[key], to: next.oidc[key] };
    }
    if (current.oidc.clientSecretSealed !== next.oidc.clientSecretSealed) {
      changes.clientSecret = { from: 'set', to: 'replaced' };
    }
  }
  return changes;
}

type OidcInput = { issuer: string; clientId: string; clientSecret?: string | undefined; scopes: string[] };

export function connectionRoutes(deps: SsoDeps): BoundRoute[] {
  const { store, cursors } = deps;

  /** The provider as discovery finds it now, with the client secret sealed (or the one kept). */
  async function oidcSettings(
    input: OidcInput,
    keptSecret?: string,
  ): Promise<NonNullable<ConnectionItem['oidc']>> {
    let discovered;
    try {
      discovered = await discoverProvider(input.issuer, input.clientId, deps.oidcTransport);
    } catch (error) {
      if (!(error instanceof DiscoveryError)) throw error;
      throw problems.validation([{ path: 'body.oidc.issuer', code: error.code, message: error.message }]);
    }
    const { userinfoEndpoint, ...endpoints } = discovered;
    return {
      ...endpoints,
      ...(userinfoEndpoint ? { userinfoEndpoint } : {}),
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecretSealed:
        input.clientSecret !== undefined ? deps.secretBox.seal(input.clientSecret) : keptSecret!,
      scopes: input.scopes,
      discoveredAt: new Date().toISOString(),
    };
  }

  /** Settings of the other protocol than the connection's are a 400, not silently dropped. */
  function requireType(
    current: ConnectionItem,
    body: { saml?: unknown; oidc?: unknown; allowIdpInitiated?: boolean | undefined },
  ) {
    const wrong =
      current.type === 'oidc'
        ? body.saml !== undefined
          ? 'body.saml'
          : body.allowIdpInitiated === true
            ? 'body.allowIdpInitiated'
            : undefined
        : body.oidc !== undefined
          ? 'body.oidc'
          : undefined;
    if (wrong) {
      throw problems.validation([
        {
          path: wrong,
          code: 'wrong_connection_type',
          message: `does not apply to a ${current.type} connection`,
        },
      ]);
    }
  }

  /** The mapping's author must be able to grant every role it hands out, as if inviting. */
  async function checkMappedRoles(
    caller: CallerContext,
    mapping: ReadonlyArray<{ group: string; roles: string[] }> | undefined,
    defaults: readonly string[] | undefined,
  ): Promise<void> {
    const roles = [
      ...(mapping ?? []).flatMap((entry, i) =>
        entry.roles.map((role, j) => ({ role, path: `body.roleMapping.${i}.roles.${j}` })),
      ),
      ...(defaults ?? []).map((role, i) => ({ role, path: `body.defaultRoles.${i}` })),
    ];
    if (roles.length === 0) return;
    const tenantId = tenantIdOf(caller);
    const customIds = [...new Set(roles.map((r) => r.role).filter((r) => !isBuiltInRole(r)))];
    const author =
      caller.kind === 'tenant' && caller.principalType === 'user'
        ? await store.getUser(tenantId, caller.principalId)
        : undefined;
    requireGrantableRoles(
      { permissions: caller.permissions, isOwner: author?.roles.includes(ownerRole) === true },
      roles,
      await store.customRoles(tenantId, customIds),
    );
  }

  return [
    implement(routes.createConnection, async (request) => {
      const { body, caller } = request;
      const idp = body.type === 'saml' ? await idpSettings(body.saml, deps.oidcTransport.fetch) : undefined;
      await checkMappedRoles(caller, body.roleMapping, body.defaultRoles);
      const oidc = body.type === 'oidc' ? await oidcSettings(body.oidc) : undefined;
      const now = new Date().toISOString();
      const item: ConnectionItem = {
        tenantId: tenantIdOf(caller),
        connectionId: `con_${ulid()}`,
        type: body.type,
        name: body.name,
        enabled: true,
        allowIdpInitiated: body.type === 'saml' && body.allowIdpInitiated,
        ...(idp
          ? {
              idpEntityId: idp.entityId,
              ssoUrl: idp.ssoUrl,
              ssoBinding: idp.ssoBinding,
              ...(idp.sloUrl ? { sloUrl: idp.sloUrl } : {}),
              certificates: idp.certificates,
            }
          : {}),
        ...(oidc ? { oidc } : {}),
        attributeMapping: body.attributeMapping ?? defaultMapping,
        roleMapping: body.roleMapping,
        defaultRoles: body.defaultRoles,
        createdAt: now,
        createdBy: actorOf(caller).id,
        updatedAt: now,
      };
      const created = await store.createConnection(item, deps.maxConnectionsPerTenant, actorOf(caller));
      return { status: 201, body: connectionResource(created, apiBase(request)) };
    }),

    implement(routes.listConnections, async (request) => {
      const { query, caller } = request;
      const tenantId = tenantIdOf(caller);
      const scope = `tenant:${tenantId}:sso-connections`;
      const page = await store.listConnections(tenantId, {
        limit: query.limit,
        position: positionOf(cursors, caller, scope, query.cursor),
      });
      const base = apiBase(request);
      return {
        status: 200,
        body: pageBody(cursors, caller, scope, page, (item) => connectionResource(item, base)),
      };
    }),

    implement(routes.getConnection, async (request) => ({
      status: 200,
      body: connectionResource(
        await store.requireConnection(tenantIdOf(request.caller), request.params.connectionId),
        apiBase(request),
      ),
    })),

    implement(routes.updateConnection, async (request) => {
      const { params, body, caller } = request;
      const current = await store.requireConnection(tenantIdOf(caller), params.connectionId);
      requireType(current, body);
      const idp = body.saml ? await idpSettings(body.saml, deps.oidcTransport.fetch) : undefined;
      await checkMappedRoles(caller, body.roleMapping, body.defaultRoles);
      const oidc = body.oidc
        ? await oidcSettings({ ...oidcOf(current), ...body.oidc }, oidcOf(current).clientSecretSealed)
        : undefined;
      const next: ConnectionItem = {
        ...current,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.allowIdpInitiated !== undefined ? { allowIdpInitiated: body.allowIdpInitiated } : {}),
        ...(body.attributeMapping ? { attributeMapping: body.attributeMapping } : {}),
        ...(body.roleMapping ? { roleMapping: body.roleMapping } : {}),
        ...(body.defaultRoles ? { defaultRoles: body.defaultRoles } : {}),
        ...(idp
          ? {
              idpEntityId: idp.entityId,
              ssoUrl: idp.ssoUrl,
              ssoBinding: idp.ssoBinding,
              certificates: idp.certificates,
              ...(idp.sloUrl ? { sloUrl: idp.sloUrl } : {}),
            }
          : {}),
        ...(oidc ? { oidc } : {}),
      };
      const changes = changesBetween(current, next);
      const saved =
        Object.keys(changes).length === 0
          ? current
          : await store.updateConnection(current, next, changes, actorOf(caller));
      return { status: 200, body: connectionResource(saved, apiBase(request)) };
    }),

    implement(routes.deleteConnection, async ({ params, caller }) => {
      const current = await store.requireConnection(tenantIdOf(caller), params.connectionId);
      await store.deleteConnection(current, actorOf(caller));
      return { status: 204 };
    }),
  ];
}
