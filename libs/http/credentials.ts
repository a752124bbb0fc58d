// How a request's credential is read, shared by the authorizer and the API handler. A request carries
// one credential at most: with two Authorization headers, which one counts would depend on who reads
// the headers (API Gateway's single-value map keeps the last), so neither does.

/** The header maps of API Gateway's REQUEST authorizer and proxy events. */
export interface RequestHeaders {
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
}

/** A credential refused before it is read, for the 400 both the authorizer and the handler answer. */
export const multipleCredentials = {
  status: 400,
  code: 'multiple_credentials',
  detail: 'The request has more than one Authorization header; send exactly one credential.',
} as const;

function named(map: Record<string, unknown> | null | undefined, name: string): unknown[] {
  return Object.entries(map ?? {})
    .filter(([key]) => key.toLowerCase() === name)
    .map(([, value]) => value);
}

/** Every Authorization value the request carries, whatever the casing of the header names. */
export function authorizationValues(event: RequestHeaders): string[] {
  const multi = named(event.multiValueHeaders, 'authorization').flatMap((values) =>
    Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [],
  );
  if (multi.length > 0) return multi;
  return named(event.headers, 'authorization').filter((v): v is string => typeof v === 'string');
}

/**
 * A credential the authorizer refused, passed on to the API function in the authorizer's context.
 * API Gateway renders a thrown `Unauthorized` with one fixed gateway response that cannot read the
 * authorizer's context, so the authorizer allows the call with this context instead and the API
 * handler answers the problem before anything else runs: the client learns why, on AWS and on one
 * machine alike.
 */
export interface CredentialRefusal {
  status: number;
  code: string;
  detail: string;
}

const refusedKind = 'refused';

export function refusalContext(refusal: CredentialRefusal): Record<string, string> {
  return { kind: refusedKind, status: String(refusal.status), code: refusal.code, detail: refusal.detail };
}

/** The refusal in an authorizer's context, or undefined when the authorizer verified a caller. */
export function refusalOf(
  context: Record<string, unknown> | null | undefined,
): CredentialRefusal | undefined {
  if (context?.kind !== refusedKind) return undefined;
  const status = Number(context.status);
  return {
    status: status === 400 ? 400 : 401,
    code: typeof context.code === 'string' ? context.code : 'unauthorized',
    detail: typeof context.detail === 'string' ? context.detail : 'A valid credential is required.',
  };
}
