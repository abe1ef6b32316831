import { apiParts, credentialRoutes, type ApiPart } from '#shared/app/routers.ts';
import type { Router } from '#shared/http/env.ts';
import { toApiGatewayPath } from '#shared/app/route-keys.ts';

/**
 * The API Gateway routes, read from the Hono routers of each API part, so a route added to a
 * capability's `routes.ts` reaches AWS without touching infra/.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethodName = (typeof HTTP_METHODS)[number];

export interface ApiRoute {
  readonly part: ApiPart;
  readonly method: HttpMethodName;
  /** API Gateway form: `/citizens/{citizenId}`. */
  readonly path: string;
  /**
   * Its callers bring a credential of their own (shared/http/credential-routes.ts: a dispenser's device
   * credential, a calendar feed key), which the Lambda checks: no JWT authorizer in front.
   */
  readonly ownCredential: boolean;
  /** Dispenser ingest: its own credential and its own, higher throttle. */
  readonly device: boolean;
}

/** Paths served by the public function without any authorizer (see shared/http/app.ts). */
export const publicRoutes = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/openapi.json' },
  { method: 'GET', path: '/docs' },
] as const satisfies readonly { method: HttpMethodName; path: string }[];

/** Routes of one part's routers: middleware entries (method ALL) are skipped, duplicates merged. */
export function routesOfRouters(part: ApiPart, routers: Router[]): ApiRoute[] {
  const seen = new Map<string, ApiRoute>();
  for (const router of routers) {
    for (const { method, path } of router.routes) {
      if (method === 'ALL') continue;
      const upper = method.toUpperCase();
      if (!(HTTP_METHODS as readonly string[]).includes(upper))
        throw new Error(`Method ${method} of ${path} has no API Gateway form`);
      // Only the part a credential route names may skip the JWT authorizer, whatever another part's path looks like.
      const credential = credentialRoutes.find((r) => r.part === part && r.method === upper && r.path.test(path));
      const route: ApiRoute = {
        part,
        method: upper as HttpMethodName,
        path: toApiGatewayPath(path),
        ownCredential: credential !== undefined,
        device: credential?.part === 'deviceEvents',
      };
      seen.set(`${route.method} ${route.path}`, route);
    }
  }
  return [...seen.values()];
}

/**
 * Every route of every part. Two parts claiming one route would make API Gateway send it to
 * one of them at random, so that fails the synth instead.
 */
export function apiRoutes(parts: Partial<Record<ApiPart, () => Router[]>> = apiParts): ApiRoute[] {
  const owners = new Map<string, ApiRoute>();
  for (const [part, routers] of Object.entries(parts) as [ApiPart, () => Router[]][]) {
    for (const route of routesOfRouters(part, routers())) {
      const key = `${route.method} ${route.path}`;
      const owner = owners.get(key);
      if (owner && owner.part !== part)
        throw new Error(`Route ${key} is served by both the ${owner.part} and the ${part} parts`);
      if (publicRoutes.some((p) => `${p.method} ${p.path}` === key))
        throw new Error(`Route ${key} is reserved for the public function`);
      owners.set(key, route);
    }
  }
  return [...owners.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
