// Turns a raw request into the input its route declared: the JSON body rules first, then zod
// validation of params, query and body, with field errors that say where the bad value was.
import type * as z from 'zod';
import type { RouteDeclaration } from '../manifest/types.ts';
import { Problem, problems, type FieldError } from './problem.ts';

/** API Gateway allows 10 MB; nothing Plinth accepts comes close to this. */
export const maxBodyBytes = 262_144;

export interface RawInput {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: string | null | undefined;
  isBase64Encoded: boolean;
  contentType: string | undefined;
}

export interface RouteInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

const mediaTypes = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const;

/** `application/json` (or a form's type) in UTF-8 only: with no charset or `charset=utf-8`. */
function isMediaType(contentType: string | undefined, expected: string): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== expected) return false;
  return parameters.every((parameter) => {
    const [name, value] = parameter.split('=').map((part) => part.trim());
    return name !== 'charset' || value?.replace(/"/g, '') === 'utf-8';
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The parsed JSON body, or undefined when the request has none. */
export function readJsonBody(declaration: RouteDeclaration, raw: RawInput): unknown {
  if (raw.body === null || raw.body === undefined || raw.body.length === 0) return undefined;
  const bytes = raw.isBase64Encoded ? Buffer.from(raw.body, 'base64') : Buffer.from(raw.body, 'utf8');
  if (bytes.byteLength > maxBodyBytes) {
    throw new Problem(413, 'payload_too_large', `The request body is over ${maxBodyBytes} bytes.`, {
      extensions: { limit: maxBodyBytes },
    });
  }
  if (!declaration.request?.body) {
    throw problems.validation([
      { path: 'body', code: 'unexpected_body', message: 'this operation takes no request body' },
    ]);
  }
  const accepted = declaration.request.bodyMedia ?? ['json'];
  const media = accepted.find((m) => isMediaType(raw.contentType, mediaTypes[m]));
  if (!media) {
    throw new Problem(
      415,
      'unsupported_media_type',
      `The request body must be ${accepted.map((m) => mediaTypes[m]).join(' or ')} in UTF-8.`,
    );
  }
  let body: unknown;
  try {
    const text = utf8.decode(bytes);
    body = media === 'form' ? Object.fromEntries(new URLSearchParams(text)) : (JSON.parse(text) as unknown);
  } catch {
    throw new Problem(
      400,
      media === 'form' ? 'malformed_form' : 'malformed_json',
      media === 'form'
        ? 'The request body is not a valid UTF-8 form.'
        : 'The request body is not valid JSON.',
    );
  }
  const errors = unsendableCharacters(body, 'body');
  if (errors.length > 0) throw problems.validation(errors);
  return body;
}

/**
 * What SQS accepts in a message (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 * #x10000-#x10FFFF), and so what an event can carry: anything stored from a request may end up in
 * one. With the `u` flag a lone surrogate (JSON `\ud800`) is a code point of its own, outside it.
 */
const unsendable = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const unsendableAll = new RegExp(unsendable.source, 'gu');

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const invalidCharacter = (path: string, what: string, char: string): FieldError => ({
  path,
  code: 'invalid_character',
  message: `${what} ${codePoint(char)}, which is not allowed`,
});

/**
 * Every string of the body, object keys included, that holds a character outside that set. Walked
 * with a stack of its own: a body may nest deeper than the call stack goes.
 */
function unsendableCharacters(body: unknown, root: string): FieldError[] {
  const errors: FieldError[] = [];
  const pending: Array<[unknown, string]> = [[body, root]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const bad = unsendable.exec(value);
      if (bad) errors.push(invalidCharacter(path, 'contains', bad[0]));
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push([item, `${path}.${index}`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        // The key is named with its bad characters spelled out, so the path itself can be sent.
        const at = `${path}.${key.replace(unsendableAll, codePoint)}`;
        const bad = unsendable.exec(key);
        if (bad) errors.push(invalidCharacter(at, 'the field name contains', bad[0]));
        pending.push([item, at]);
      }
    }
  }
  return errors.reverse();
}

function fieldErrors(where: string, error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = [where, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...at, key].join('.'),
        code: 'unknown_field',
        message: 'is not a known field',
      }));
    }
    // A schema's own refinement may name its code (`params.code`), e.g. `public_mail_domain`.
    const named =
      issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
    const code = typeof named === 'string' ? named : issue.code;
    return [{ path: at.join('.'), code, message: issue.message }];
  });
}

async function check(
  where: string,
  schema: z.ZodType,
  value: unknown,
  errors: FieldError[],
): Promise<unknown> {
  const result = await schema.safeParseAsync(value);
  if (result.success) return result.data;
  errors.push(...fieldErrors(where, result.error));
  return undefined;
}

/** Validates every part of the input and reports all bad fields at once. */
export async function validateInput(
  declaration: RouteDeclaration,
  raw: RawInput,
  body: unknown,
): Promise<RouteInput> {
  const schemas = declaration.request ?? {};
  const errors: FieldError[] = [];

  const params = schemas.params ? await check('params', schemas.params, raw.params, errors) : raw.params;

  const present = Object.fromEntries(
    Object.entries(raw.query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let query: unknown = {};
  if (schemas.query) {
    query = await check('query', schemas.query, present, errors);
  } else {
    // A route that declares no query takes none, as a strict schema would say.
    errors.push(
      ...Object.keys(present).map((name) => ({
        path: `query.${name}`,
        code: 'unknown_field',
        message: 'is not a known field',
      })),
    );
  }

  const parsedBody = schemas.body ? await check('body', schemas.body, body, errors) : undefined;

  if (errors.length > 0) throw problems.validation(errors);
  return { params, query, body: parsedBody };
}
