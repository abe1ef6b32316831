import * as z from '#shared/platform/zod.ts';
import { createMiddleware } from 'hono/factory';
import { hasRole, type Role } from '#shared/platform/actor.ts';
import { ForbiddenError, UnauthenticatedError } from '#shared/platform/errors.ts';
import type { AppEnv } from './env.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';
import { REASON_CODES } from './reasons.ts';

/**
 * Building blocks every capability's routes share, so a route definition says only what is
 * particular to it.
 */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    reason: z.enum(REASON_CODES).optional().openapi({
      description: 'On a 409: why the current state does not allow this, one of a fixed set of kebab-case codes',
    }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});

/** The error responses of an authenticated route; pass the extra statuses it can answer. */
export function problems(...extra: (400 | 404 | 409 | 413 | 415 | 502 | 503)[]) {
  const all: Record<number, ReturnType<typeof problem>> = {
    401: problem('No, bad or expired bearer token'),
    403: problem('The caller’s role may not do this'),
  };
  const descriptions: Record<number, string> = {
    400: 'Invalid input; `errors` lists the fields at fault',
    404: 'Unknown, or not visible to this caller',
    409: 'The current state does not allow this',
    413: 'The body is too large',
    415: 'The body is not application/json',
    502: 'An upstream service failed; nothing was written',
    503: 'An upstream service is throttling; retry later',
  };
  for (const status of extra) all[status] = problem(descriptions[status] ?? 'Error');
  return all;
}

/** A required JSON body: a missing or non-JSON body is a 4xx, never silently `{}`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;

export const PaginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT).openapi({ example: 50 }),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .openapi({ description: 'Opaque cursor from the previous page’s `nextCursor`' }),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() }).openapi(name);
}

/** Path id of one kind: `cit_` + ULID. Anything else (`..`, another kind's id) is a 400. */
export function idParam(prefix: string, example = `${prefix}_01JD0000000000000000000000`) {
  return z
    .string()
    .max(prefix.length + 27, `must be an id of the form ${prefix}_<ULID>`)
    .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be an id of the form ${prefix}_<ULID>`)
    .openapi({ example });
}

export const bearer = [{ bearer: [] as string[] }];

/** Route middleware: the caller must hold one of these roles, else 403. */
export function requireRole(...allowed: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // Routes without API Gateway's authorizer (credential routes) may arrive with no caller at all.
    if (c.get('actor') === undefined) throw new UnauthenticatedError();
    if (!hasRole(c.get('actor'), ...allowed))
      throw new ForbiddenError(`This needs one of the roles: ${allowed.join(', ')}.`);
    await next();
  });
}
