import { handle } from 'hono/aws-lambda';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { loadConfig } from '#shared/platform/config.ts';
import { createAwsDeps } from './aws-deps.ts';
import { createApp, type AppOptions } from '#shared/http/app.ts';
import { verifierFor } from '#shared/http/auth.ts';
import { credentialRoutes } from '#shared/http/credential-routes.ts';
import type { Router } from '#shared/http/env.ts';
import type { RouteGroups } from './parts/route-groups.ts';
import { groupsByRoute } from './route-table.ts';
import type { ApiPart } from './routers.ts';

type LambdaHandler = ReturnType<typeof handle>;

/**
 * The Lambda handler of one API part. Config, deps and the token verifier are made once per
 * container (outside the handler). The app that answers is built from the groups a request
 * needs: the event's `routeKey` (API Gateway's route, `GET /alerts/{alertId}`) names its group
 * in the route table, and the first request of each group loads it, so a container never runs
 * the code of groups it does not serve. An event whose route is not in the table (no `routeKey`,
 * a direct invocation) gets the app with every group: what one app mounting them all answers.
 */
export function partHandler(
  part: ApiPart,
  groups: RouteGroups,
  options: Pick<AppOptions, 'tabletTokens'> = {},
  table: Record<string, string> = groupsByRoute()[part],
) {
  const config = loadConfig();
  const deps = createAwsDeps(config);
  const verifier = verifierFor(config);
  const everyGroup = Object.values(groups);
  const handlers = new Map<string, Promise<LambdaHandler>>();

  const handlerFor = (key: string, loads: readonly (() => Promise<() => Router>)[]): Promise<LambdaHandler> => {
    let handler = handlers.get(key);
    if (!handler) {
      handler = Promise.all(loads.map((load) => load())).then((routers) =>
        handle(
          createApp(deps, {
            verifier,
            routers: routers.map((routes) => routes()),
            deviceRoutes: credentialRoutes,
            ...options,
          }),
        ),
      );
      // A failed load is tried again by the next request instead of failing the container for good.
      handler.catch(() => handlers.delete(key));
      handlers.set(key, handler);
    }
    return handler;
  };

  return async (event: LambdaEvent, context?: LambdaContext) => {
    const route = 'routeKey' in event && typeof event.routeKey === 'string' ? event.routeKey : '';
    const group = Object.hasOwn(table, route) ? table[route] : undefined;
    const load = group !== undefined && Object.hasOwn(groups, group) ? groups[group] : undefined;
    const handler = group && load ? handlerFor(group, [load]) : handlerFor(EVERY_GROUP, everyGroup);
    return (await handler)(event, context);
  };
}

/** The key of the app with every group: not a group's name, which is an identifier. */
const EVERY_GROUP = '*';
