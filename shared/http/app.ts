import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { Actor } from '#shared/platform/actor.ts';
import type { Deps } from '#shared/platform/deps.ts';
import {
  PayloadTooLargeError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  NotFoundError,
} from '#shared/platform/errors.ts';
import type { TokenVerifier } from './auth.ts';
import { cursorSeal } from './cursors.ts';
import { DOCS_HEADERS, DOCS_HTML } from './docs-page.ts';
import type { DeviceRoute } from './credential-routes.ts';
import { completeDocument } from './contract.ts';
import type { AppEnv, Router } from './env.ts';
import { handleError, validationHook } from './problem.ts';
import { requestIdAndLog } from './request-log.ts';

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
  /** Routes that authenticate with a credential of their own (credential-routes.ts) instead of a JWT. */
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
      'Digital care delivery for a municipal E-team: readiness assessment, benefit conversion, screen visits and medication dispensers. Errors are RFC 9457 problem+json. Request bodies reject unknown fields. Times are ISO 8601 with an offset (`2026-11-24T09:00:00+01:00` or `…Z`); in a query, encode `+` as `%2B`.',
    contact: { name: 'E-team platform team', url: 'https://e-team.example/' },
  },
  // Relative: the same document is served by every stage and by `npm start`.
  servers: [
    {
      url: '/',
      description: 'The stage serving this document (production, staging, or local with npm start)',
      'x-internal': false,
    },
  ] as { url: string; description: string; 'x-internal': boolean }[],
} as const;

/** What the document describes besides the routers: the security schemes and `/health`. */
function describeApi(app: Router, routers: Router[]): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A Cognito access token (RS256, short-lived; issuer, client id, expiry and signature checked as RFC8725 recommends, `alg: none` refused). Roles and team are its `cognito:groups`.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'deviceCredential', {
    type: 'http',
    scheme: 'bearer',
    description: 'The dispenser’s own credential, issued once by POST /dispensers',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'calendarFeedKey', {
    type: 'apiKey',
    in: 'query',
    name: 'key',
    description:
      'The calendar feed key from POST /staff/{staffId}/calendar-feed, for calendar programs that cannot send a header; it opens only that staff member’s feed',
  });
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  for (const router of routers) app.route('/', router);
}

/** The OpenAPI document of an app mounting these routers, exactly as its `/openapi.json` serves it. */
export function openApiDocument(routers: Router[]): object {
  const app = newRouter();
  describeApi(app, routers);
  return completeDocument(app.getOpenAPI31Document(API_INFO));
}

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  'x-roles': [],
  tags: ['platform'],
  summary: 'Liveness; no data, no token',
  responses: {
    200: {
      description: 'The API is up',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
});

/** The same request with no body and no content headers, so every later step sees "no body". */
function withoutBody(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete('content-type');
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  return new Request(request.url, { method: request.method, headers, signal: request.signal });
}

function tooLarge(): never {
  throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
}

const streamedBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

/**
 * A declared Content-Length is checked from the header alone; a streamed body (no length) is
 * counted as it is read, by Hono's bodyLimit. Hono's middleware looks at `c.req.raw.body` first,
 * which turns Node's light request into a full WHATWG Request with a body stream: measured at
 * about 8 % of a single-event device post's CPU.
 */
const bodyWithinLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  const length = c.req.header('content-length');
  if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamedBodyLimit(c, next);
  if (Number.parseInt(length, 10) > MAX_BODY_BYTES) tooLarge();
  return next();
});

/** A body is JSON or absent; it is read once, here. */
const jsonBodyOrNone = createMiddleware<AppEnv>(async (c, next) => {
  if (['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
    const type = c.req.header('content-type');
    // Whether a body is there cannot be told from the headers alone (curl -X POST sends neither
    // Content-Length nor a body; a proxy may drop Content-Length), so it is read here, once,
    // into Hono's body cache: the validators parse that text, and the request is never copied.
    const text = await c.req.text();
    if (text.trim() === '') {
      // No body at all: an action needs none, an optional body is `{}`, a required one is a 400.
      c.req.raw = withoutBody(c.req.raw);
      c.req.bodyCache = {};
    } else if (!(type && /^application\/(.+\+)?json\s*(;|$)/i.test(type))) throw new UnsupportedMediaTypeError();
  }
  await next();
});

export function createApp(deps: Deps, options: AppOptions): Router {
  const app = newRouter();

  app.use('*', requestIdAndLog);
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  app.use('*', bodyWithinLimit);

  app.use('*', jsonBodyOrNone);

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
      c.set(
        'actor',
        options.tabletTokens?.claims(match[1])
          ? await options.tabletTokens.verify(deps, match[1])
          : await options.verifier.verify(match[1]),
      );
      await next();
    }),
  );

  // After authentication: a cursor is bound to its caller.
  app.use('*', cursorSeal);

  describeApi(app, options.routers);
  const { document } = options;
  if (document) app.get('/openapi.json', (c) => c.json(document));
  else {
    let described: object | undefined;
    app.get('/openapi.json', (c) => c.json((described ??= completeDocument(app.getOpenAPI31Document(API_INFO)))));
  }
  app.get('/docs', (c) => c.body(DOCS_HTML, 200, DOCS_HEADERS));

  app.notFound((c) => handleError(new NotFoundError(`The route ${c.req.method} ${c.req.path}`), c));
  app.onError(handleError);
  return app;
}
