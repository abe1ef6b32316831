import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type * as z from '#shared/platform/zod.ts';
import { DomainError, ValidationError, type FieldError } from '#shared/platform/errors.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * The one place where errors become RFC 9457 problem+json responses. Domain code throws typed
 * DomainErrors; anything unknown becomes a bare 500 with no internals in the body.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: readonly FieldError[];
  reason?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://e-team.example/problems/';

/** DynamoDB's throttling errors: the caller may retry, so a 429 rather than a 500. */
const THROTTLED = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

export function problemFromError(error: unknown): Problem {
  if (error instanceof DomainError) {
    return {
      type: `${TYPE_BASE}${error.kind}`,
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...(error instanceof ValidationError && error.fields.length > 0 ? { errors: error.fields } : {}),
      ...('reason' in error && typeof error.reason === 'string' ? { reason: error.reason } : {}),
    };
  }
  if (error instanceof HTTPException) {
    // Hono's own 4xx: malformed JSON, body limit and the like.
    const status = error.status;
    const detail =
      status === 400 && /json/i.test(error.message)
        ? 'The request body is not valid JSON.'
        : error.message || 'The request was not accepted.';
    return {
      type: `${TYPE_BASE}${status === 400 ? 'validation' : `http-${status}`}`,
      title: titleFor(status),
      status,
      detail,
    };
  }
  if (error instanceof Error && THROTTLED.has(error.name)) {
    return {
      type: `${TYPE_BASE}throttled`,
      title: 'Too many requests',
      status: 429,
      detail: 'The data store is busy; retry in a moment.',
    };
  }
  return {
    type: `${TYPE_BASE}internal`,
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side. The request id identifies it in our logs.',
  };
}

function titleFor(status: number): string {
  return (
    {
      400: 'Invalid request',
      401: 'Unauthenticated',
      403: 'Forbidden',
      404: 'Not found',
      405: 'Method not allowed',
      409: 'Conflict',
      413: 'Payload too large',
      415: 'Unsupported media type',
      429: 'Too many requests',
    }[status] ?? 'Request failed'
  );
}

/**
 * RFC 6750 §3: a 401 names the scheme; when a credential was sent and refused, `invalid_token`
 * tells the client to get a new one rather than retry.
 */
function wwwAuthenticate(c: Context): string {
  const sent = /^Bearer\s/i.test(c.req.header('authorization') ?? '') || c.req.query('key') !== undefined;
  return sent ? 'Bearer realm="e-team", error="invalid_token"' : 'Bearer realm="e-team"';
}

export function problemResponse(c: Context, problem: Problem): Response {
  const requestId = c.get('requestId') as string | undefined;
  const body: Problem = { ...problem, instance: c.req.path, ...(requestId ? { requestId } : {}) };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      ...(requestId ? { 'x-request-id': requestId } : {}),
      ...(problem.status === 401 ? { 'www-authenticate': wwwAuthenticate(c) } : {}),
      ...(problem.status === 429 ? { 'retry-after': '1' } : {}),
    },
  });
}

export function handleError(error: unknown, c: Context): Response {
  const problem = problemFromError(error);
  if (problem.status >= 500) {
    logger.error('request failed', { requestId: c.get('requestId'), route: c.req.routePath, error: error as Error });
  }
  return problemResponse(c, problem);
}

/** zod issues as the fields at fault, prefixed by where they came from (`body`, `query`, `path`). */
export function fieldErrors(target: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: [target, ...issue.path.map(String)].join('/'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

const targetName: Record<string, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  form: 'body',
};

/** The `defaultHook` of every router: a failed zod validation becomes a 400 with its fields. */
export function validationHook(
  result: { success: boolean; error?: unknown; target: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const fields = fieldErrors(targetName[result.target] ?? result.target, result.error as z.ZodError);
  return problemResponse(
    c,
    problemFromError(new ValidationError('Some fields are missing or wrong; see errors.', fields)),
  );
}
