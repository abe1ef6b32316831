import { createMiddleware } from 'hono/factory';
import { newId } from '#shared/platform/ids.ts';
import { logger } from '#shared/platform/logger.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The first middleware of every app: names the request (API Gateway's request id on Lambda, a
 * well-formed `x-request-id` from the caller, or a new one), answers with that name, and logs one
 * line per request. Ids, route and status only: never bodies, names or tokens.
 */
export const requestIdAndLog = createMiddleware<{ Variables: { requestId: string } }>(async (c, next) => {
  const started = performance.now();
  const lambdaEvent = (c.env as { event?: { requestContext?: { requestId?: string } } } | undefined)?.event;
  const header = c.req.header('x-request-id');
  c.set(
    'requestId',
    lambdaEvent?.requestContext?.requestId ?? (header && REQUEST_ID.test(header) ? header : newId('req')),
  );
  await next();
  try {
    // On the response's own headers: `c.header` after the handler rebuilds the whole response
    // (a new Response around its body stream) to add one header.
    c.res.headers.set('x-request-id', c.get('requestId'));
  } catch {
    // A response whose headers are immutable (one fetched from elsewhere) is rebuilt after all.
    c.header('x-request-id', c.get('requestId'));
  }
  logger.info('request', {
    requestId: c.get('requestId'),
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    latencyMs: Math.round(performance.now() - started),
  });
});
