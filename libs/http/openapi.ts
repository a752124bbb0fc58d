// The OpenAPI 3.1 document, generated from the contexts' route declarations and their zod schemas,
// with the problem responses every route can give added here, where they are rendered.
import * as z from 'zod';
import {
  createDocument,
  type oas31,
  type ZodObjectInput,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import type { ContextManifest, RouteDeclaration } from '../manifest/types.ts';
import { idempotencyHeader, isIdempotentRoute, replayedHeader } from './idempotency.ts';
import { problemContentType, problemTypeBase } from './problem.ts';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  /**
   * Where the API is reached.
   * @default `/`: the host that serves the document (URLs differ per deployment and region)
   */
  servers?: Array<{ url: string; description?: string }>;
}

const fieldErrorSchema = z
  .object({
    path: z.string().meta({ description: 'Where the bad value was, e.g. `body.slug` or `query.limit`.' }),
    code: z.string().meta({ description: 'Stable machine code, e.g. `too_small` or `unknown_field`.' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: `\`${problemTypeBase}<code>\``, format: 'uri' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: 'Stable machine code; branch on this, not on `detail`.' }),
    detail: z.string().meta({ description: 'What went wrong, for people.' }),
    instance: z.string().optional().meta({ description: 'The request path.' }),
    requestId: z.string().optional().meta({ description: 'Quote this when reporting a problem.' }),
    errors: z
      .array(fieldErrorSchema)
      .optional()
      .meta({ description: 'Every bad field, for `validation_failed`.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

function problem(id: string, description: string): ZodOpenApiResponseObject {
  return { id, description, content: { [problemContentType]: { schema: problemSchema } } };
}

// One object per status, so zod-openapi registers each once under components.responses.
const problemResponses = {
  400: problem(
    'BadRequest',
    'The request is malformed or has invalid fields: `validation_failed` (see `errors`), `malformed_json`, `invalid_cursor`, `invalid_idempotency_key`.',
  ),
  401: problem('Unauthorized', 'No valid credential: `unauthorized`.'),
  403: problem(
    'Forbidden',
    'The credential may not make this call: `permission_denied`, `tenant_credential_required`, `platform_credential_required`, or a refusal of the tenant such as `tenant_suspended`.',
  ),
  404: problem('NotFound', 'No such resource, or it belongs to another tenant: `not_found`.'),
  409: problem(
    'Conflict',
    "The call conflicts with the resource's current state, or a request with the same Idempotency-Key is still running (`idempotency_key_in_use`).",
  ),
  413: problem('ContentTooLarge', 'The request body is over 256 KiB: `payload_too_large`.'),
  415: problem(
    'UnsupportedMediaType',
    'The request body is not `application/json`: `unsupported_media_type`.',
  ),
  422: problem(
    'IdempotencyKeyReused',
    'The Idempotency-Key was used for a different request: `idempotency_key_reused`.',
  ),
  429: problem('TooManyRequests', "Throttled by the plan's rate or quota: `rate_limited`, `quota_exceeded`."),
  500: problem('InternalError', 'Something failed on our side; it has been logged: `internal_error`.'),
} as const;

type ProblemStatus = keyof typeof problemResponses;

/** The problem statuses a route can answer with, from what its declaration says it takes. */
export function problemStatusesOf(route: RouteDeclaration): ProblemStatus[] {
  const statuses: ProblemStatus[] = [400];
  if (route.audience !== 'public') statuses.push(401, 403);
  if (route.path.includes('{')) statuses.push(404);
  if (route.method !== 'GET') statuses.push(409);
  if (route.request?.body) statuses.push(413, 415);
  if (isIdempotentRoute(route)) statuses.push(422);
  statuses.push(429, 500);
  return statuses;
}

const idempotencyKeyParam = z.object({
  [idempotencyHeader]: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7E]+$/)
    .optional()
    .meta({
      description:
        'Makes a retry safe: the same key with the same request within 24 hours replays the first response; with another request it is refused.',
    }),
});

const replayedHeaderSchema = z.object({
  [replayedHeader]: z.literal('true').optional().meta({
    description: 'Present when this response is a replay of the first response to the Idempotency-Key.',
  }),
});

export const securitySchemes = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'Plinth API key',
    description: 'A Plinth API key, tenant or platform: `Authorization: Bearer <key>`.',
  },
  jwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "An access token of the region's user pool: `Authorization: Bearer <token>`.",
  },
} as const;

/**
 * A schema factory called twice with one id (`page(apiKey, 'ApiKeyPage')` in two routes) makes two
 * objects that zod refuses to register under that id; they are one component when they render the
 * same, and a real clash otherwise.
 */
function componentRegistry() {
  const byId = new Map<string, { schema: z.ZodType; rendered: string }>();
  return <T extends z.ZodType | undefined>(schema: T): T => {
    const id = schema?.meta()?.id;
    if (!schema || !id) return schema;
    const rendered = JSON.stringify(z.toJSONSchema(schema, { unrepresentable: 'any' }));
    const known = byId.get(id);
    if (!known) {
      byId.set(id, { schema, rendered });
      return schema;
    }
    if (known.schema === schema || known.rendered === rendered) return known.schema as T;
    throw new Error(`two different schemas share the OpenAPI component id "${id}"`);
  };
}

type Canonical = ReturnType<typeof componentRegistry>;

function responsesOf(route: RouteDeclaration, canonical: Canonical): ZodOpenApiResponsesObject {
  const idempotent = isIdempotentRoute(route);
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, declared] of Object.entries(route.responses)) {
    const success = Number(status) < 400;
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: declared.description,
      ...(declared.schema
        ? {
            content: {
              [success ? 'application/json' : problemContentType]: { schema: canonical(declared.schema) },
            },
          }
        : success
          ? {}
          : { content: { [problemContentType]: { schema: problemSchema } } }),
      ...(success && idempotent ? { headers: replayedHeaderSchema } : {}),
    };
  }
  for (const status of problemStatusesOf(route)) {
    responses[`${status}`] ??= problemResponses[status];
  }
  return responses;
}

function operationOf(route: RouteDeclaration, canonical: Canonical): ZodOpenApiOperationObject {
  const request = route.request ?? {};
  const body = canonical(request.body);
  const idempotent = isIdempotentRoute(route);
  const requestParams = {
    ...(request.params ? { path: canonical(request.params) as ZodObjectInput } : {}),
    ...(request.query ? { query: canonical(request.query) as ZodObjectInput } : {}),
    ...(idempotent ? { header: idempotencyKeyParam } : {}),
  };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    security: route.audience === 'public' ? [] : [{ apiKey: [] }, { jwt: [] }],
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
    ...(body
      ? {
          requestBody: {
            required: !body.safeParse(undefined).success,
            content: Object.fromEntries(
              (request.bodyMedia ?? ['json']).map((media) => [
                media === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
                { schema: body },
              ]),
            ),
          },
        }
      : {}),
    responses: responsesOf(route, canonical),
    'x-permission': route.permission,
  };
}

export function buildOpenApiDocument(
  contexts: readonly ContextManifest[],
  info: OpenApiInfo,
): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  const tagDescriptions = new Map<string, string>();
  const canonical = componentRegistry();
  for (const context of contexts) {
    for (const route of context.routes) {
      const item = (paths[route.path] ??= {});
      item[route.method.toLowerCase() as Lowercase<RouteDeclaration['method']>] = operationOf(
        route,
        canonical,
      );
      for (const tag of route.tags)
        if (!tagDescriptions.has(tag)) tagDescriptions.set(tag, context.description);
    }
  }
  const { servers = [{ url: '/', description: 'The host that serves this document' }], ...rest } = info;
  return createDocument({
    openapi: '3.1.0',
    info: { ...rest },
    servers,
    tags: [...tagDescriptions].map(([name, description]) => ({ name, description })),
    paths,
    components: { securitySchemes: { ...securitySchemes } },
  });
}
