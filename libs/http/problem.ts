// RFC 9457 problem details: the one error type every route throws and one place renders.
export interface FieldError {
  /** JSON pointer-ish dotted path of the bad field, e.g. `body.slug`. */
  path: string;
  code: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members of the problem body (RFC 9457 extensions). */
  extensions?: Record<string, unknown>;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemTypeBase = 'https://plinth.dev/problems/';

export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, options: ProblemOptions = {}) {
    super(detail);
    this.name = 'Problem';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  toBody(instance?: string): ProblemBody {
    return {
      ...this.extensions,
      type: `${problemTypeBase}${this.code}`,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      code: this.code,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const problemContentType = 'application/problem+json';

export const problems = {
  validation: (errors: FieldError[]) =>
    new Problem(400, 'validation_failed', 'The request has invalid fields; see errors.', { errors }),
  unauthorized: (detail = 'A valid credential is required.') => new Problem(401, 'unauthorized', detail),
  forbidden: (permission: string) =>
    new Problem(403, 'permission_denied', `This call needs the permission "${permission}".`, {
      extensions: { permission },
    }),
  notFound: (what: string) => new Problem(404, 'not_found', `${what} was not found.`),
  conflict: (code: string, detail: string, extensions?: Record<string, unknown>) =>
    new Problem(409, code, detail, extensions ? { extensions } : {}),
  internal: () => new Problem(500, 'internal_error', 'Something went wrong on our side; it has been logged.'),
};
