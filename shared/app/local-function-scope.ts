import { asFunction, type TableFunctionName } from '#shared/table/table-access.ts';
import type { Router } from '#shared/http/env.ts';
import { apiParts, type ApiPart } from './routers.ts';

/**
 * LOCAL ONLY: `npm start` and the tests serve every API part from one app, while on AWS each part
 * is a Lambda of its own with its own table grant. This runs each request as the function of the
 * part that serves it (`asFunction`), so the local guard (shared/table/iam-guard.ts) holds it to
 * that function's partitions.
 */
export const functionOfPart = {
  care: 'Care',
  visits: 'Visits',
  dispensers: 'Dispensers',
  deviceEvents: 'DeviceEvents',
  reports: 'Reports',
  admin: 'Admin',
} as const satisfies Record<ApiPart, TableFunctionName>;

export interface PartRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly staticSegments: number;
  readonly fn: TableFunctionName;
}

export function partRoutes(): PartRoute[] {
  const routes = (Object.entries(apiParts) as [ApiPart, () => Router[]][]).flatMap(([part, routers]) =>
    routers().flatMap((router) =>
      router.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => {
          const segments = r.path.split('/');
          const source = segments
            .map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
            .join('/');
          return {
            method: r.method.toUpperCase(),
            pattern: new RegExp(`^${source}/?$`),
            staticSegments: segments.filter((s) => s && !s.startsWith(':')).length,
            fn: functionOfPart[part],
          };
        }),
    ),
  );
  // As API Gateway does: the most specific route wins (`/visits/mine` before `/visits/{visitId}`).
  return routes.sort((a, b) => b.staticSegments - a.staticSegments);
}

/** The function that serves `method path` on AWS, by the parts' routes. */
export function functionOfRequest(
  routes: readonly PartRoute[],
  method: string,
  path: string,
): TableFunctionName | undefined {
  return routes.find((r) => r.method === method && r.pattern.test(path))?.fn;
}

export function scopeRequestsToFunctions(app: Router): Router {
  const routes = partRoutes();
  const fetch = app.fetch;
  app.fetch = (request, ...rest) => {
    const fn = functionOfRequest(routes, request.method, new URL(request.url).pathname);
    return fn ? asFunction(fn, () => fetch(request, ...rest)) : fetch(request, ...rest);
  };
  return app;
}
