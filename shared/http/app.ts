import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { Actor } from '../platform/actor.ts';
import type { Deps } from '../platform/deps.ts';
import { PayloadTooLargeError, UnauthenticatedError, UnsupportedMediaTypeError, NotFoundError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { logger } from '../platform/logger.ts';
import type { TokenVerifier } from './auth.ts';
import { DOCS_HEADERS, DOCS_HTML } from './docs-page.ts';
import type { DeviceRoute } from './device-routes.ts';
import type { AppEnv, Router } from './env.ts';
import { handleError, validationHook } from './problem.ts';

/** Bodies above this are refused with 413 before they are parsed. Device batches fit well inside. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Routes anyone may call without a token. Everything else needs a bearer JWT or a device credential. */
const PUBLIC_PATHS = new Set(['/health', '/openapi.json', '/docs', '/tablet-pairings/redeem']);

export function newRouter(): Router {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export interface AppOptions {
  verifier: TokenVerifier;
  /** Capability routers to mount; each Lambda mounts only its own, `npm start` mounts them all. */
  routers: Router[];
  /** Routes that authenticate with a credential of their own (device-routes.ts) instead of a JWT. */
  deviceRoutes?: readonly DeviceRoute[];
  /**
   * Serve this OpenAPI document at `/openapi.json` instead of describing the mounted routers: the
   * public Lambda mounts none and serves the document generated at bundle time (infra/bundling.ts).
   */
  document?: object;
  /**
   * The API's own tablet tokens (shared/tablets/tokens.ts), verified next to the verifier's; only
   * apps that serve the tablet's routes pass it, so other functions never read tablet records.
   */
  tabletTokens?: { claims(token: string): boolean; verify(deps: Deps, token: string): Promise<Actor> };
}

const API_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'E-team API',
    version: '1.0.0',
    description:
      'Digital care delivery for a municipal E-team: readiness assessment, benefit conversion, screen visits and medication dispensers. Errors are RFC 9457 problem+json. Request bodies reject unknown fields.',
  },
} as const;

/** What the document describes besides the routers: the security schemes and `/health`. */
function describeApi(app: Router, routers: Router[]): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'deviceCredential', {
    type: 'http',
    scheme: 'bearer',
    description: 'The dispenser’s own credential, issued once by POST /dispensers',
  });
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  for (const router of routers) app.route('/', router);
}

/** The OpenAPI document of an app mounting these routers, exactly as its `/openapi.json` serves it. */
export function openApiDocument(routers: Router[]): object {
  const app = newRouter();
  describeApi(app, routers);
  return app.getOpenAPI31Document(API_INFO);
}

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['platform'],
  summary: 'Liveness; no data, no token',
  responses: { 200: { description: 'The API is up', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: Deps, options: AppOptions): Router {
  const app = newRouter();

  app.use('*', async (c, next) => {
    const started = performance.now();
    const lambdaEvent = (c.env as { event?: { requestContext?: { requestId?: string } } } | undefined)?.event;
    const header = c.req.header('x-request-id');
    c.set('requestId', lambdaEvent?.requestContext?.requestId ?? (header && REQUEST_ID.test(header) ? header : newId('req')));
    c.set('deps', deps);
    await next();
    c.header('x-request-id', c.get('requestId'));
    // Ids, route and status only: never bodies, names or tokens.
    logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      latencyMs: Math.round(performance.now() - started),
    });
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );

  app.use(
    '*',
    createMiddleware<AppEnv>(async (c, next) => {
      if (['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
        const type = c.req.header('content-type');
        const hasBody = c.req.raw.body !== null && c.req.header('content-length') !== '0';
        if (hasBody && !(type && /^application\/(.+\+)?json\s*(;|$)/i.test(type))) throw new UnsupportedMediaTypeError();
      }
      await next();
    }),
  );

  app.use(
    '*',
    createMiddleware<AppEnv>(async (c, next) => {
      if (PUBLIC_PATHS.has(c.req.path)) return next();
      const header = c.req.header('authorization');
      const ownCredential = options.deviceRoutes?.find((r) => r.method === c.req.method && r.path.test(c.req.path));
      // The route checks its own credential; a JWT on an `optional` route is still verified.
      if (ownCredential && (ownCredential.jwt === 'never' || header === undefined)) return next();
      const match = header?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)$/);
      if (!match?.[1]) throw new UnauthenticatedError();
      // A paired tablet's token is the API's own (shared/tablets/tokens.ts); every other token is the verifier's.
      c.set('actor', options.tabletTokens?.claims(match[1]) ? await options.tabletTokens.verify(deps, match[1]) : await options.verifier.verify(match[1]));
      await next();
    }),
  );

  describeApi(app, options.routers);
  const { document } = options;
  if (document) app.get('/openapi.json', (c) => c.json(document));
  else app.doc31('/openapi.json', API_INFO);
  app.get('/docs', (c) => c.body(DOCS_HTML, 200, DOCS_HEADERS));

  app.notFound((c) => handleError(new NotFoundError(`The route ${c.req.method} ${c.req.path}`), c));
  app.onError(handleError);
  return app;
}
