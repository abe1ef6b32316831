import { Hono } from 'hono';
import { NotFoundError } from '#shared/platform/errors.ts';
import { DOCS_HEADERS, DOCS_HTML } from './docs-page.ts';
import { handleError } from './problem.ts';
import { requestIdAndLog } from './request-log.ts';

/**
 * The public Lambda's app: `/health`, `/openapi.json` (the document generated when the function
 * is bundled, see infra/bundling.ts) and `/docs`, which is all API Gateway sends it. The answers
 * are those of the full app (shared/http/app.ts): same request id, same problem+json for anything
 * else. It is a plain Hono app on purpose: with no route to validate it needs neither zod nor
 * the OpenAPI layer, which are most of the other functions' import time (bench/README.md, figure 4).
 */
export function createPublicApp(document: object): Hono {
  const app = new Hono();
  app.use('*', requestIdAndLog);
  app.get('/health', (c) => c.json({ status: 'ok' as const }, 200));
  app.get('/openapi.json', (c) => c.json(document));
  // The same offline page as the full app: Swagger UI's files come from the web bucket under /docs/*.
  app.get('/docs', (c) => c.body(DOCS_HTML, 200, DOCS_HEADERS));
  app.notFound((c) => handleError(new NotFoundError(`The route ${c.req.method} ${c.req.path}`), c));
  app.onError(handleError);
  return app;
}
