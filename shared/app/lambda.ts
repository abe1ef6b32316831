import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { loadConfig } from '#shared/platform/config.ts';
import { createAwsDeps } from './aws-deps.ts';
import { createApp, type AppOptions } from '#shared/http/app.ts';
import { verifierFor } from '#shared/http/auth.ts';
import { credentialRoutes } from '#shared/http/credential-routes.ts';
import type { Router } from '#shared/http/env.ts';
import type { RouteGroups } from './parts/route-groups.ts';
import { groupDispatcher } from './route-dispatch.ts';
import type { GroupRoute } from './route-table.ts';

/**
 * The Lambda handler of one API part. Config, deps and the token verifier are made once per
 * container (outside the handler); each route group (./parts/) is loaded, and its app built, by
 * the first request that reaches it, so a container compiles only the groups it serves. `routes`
 * (./route-table.ts) names each route's group, so picking one loads nothing. A request no route
 * matches gets an app with no group: the same 401 or 404 one app mounting them all gives.
 */
export function partHandler(
  groups: RouteGroups,
  routes: readonly GroupRoute[],
  options: Pick<AppOptions, 'tabletTokens'> = {},
) {
  const config = loadConfig();
  const deps = createAwsDeps(config);
  const verifier = verifierFor(config);
  const groupOf = groupDispatcher(routes);
  const apps = new Map<string, Promise<Router>>();
  const appOf = (group: string | undefined): Promise<Router> => {
    const key = group ?? '';
    let app = apps.get(key);
    if (!app) {
      const load = group === undefined ? undefined : groups[group];
      app = (load ? load() : Promise.resolve(undefined)).then((routers) =>
        createApp(deps, { verifier, routers: routers ? [routers()] : [], deviceRoutes: credentialRoutes, ...options }),
      );
      // A failed load is tried again by the next request instead of failing the container for good.
      app.catch(() => apps.delete(key));
      apps.set(key, app);
    }
    return app;
  };
  // The request as Hono sees it (method, decoded path) picks the group; that group's app answers it.
  const front = new Hono().all('*', async (c) =>
    (await appOf(groupOf(c.req.method, c.req.path))).fetch(c.req.raw, c.env),
  );
  return handle(front);
}
