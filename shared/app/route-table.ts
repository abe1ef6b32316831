import type { Router } from '#shared/http/env.ts';
import { routeKey, toApiGatewayPath } from './route-keys.ts';
import { loadedGroups, type ApiPart } from './routers.ts';

/**
 * For each part, the group (./parts/) that serves each of its API Gateway routes, by route key
 * (`GET /alerts/{alertId}`): what a part's Lambda reads from the event's `routeKey` to load only
 * that group (./lambda.ts). Routes are the routers' own, as infra/routes.ts turns them into the
 * gateway's, so the two cannot disagree.
 *
 * Run as written, it loads every router. Bundling replaces this module by its result
 * (`routeTableAtBuildTime` in infra/bundling.ts), so a Lambda carries the table as a constant.
 * Keep the export's name and shape: the replacement is `export const groupsByRoute = () => (<the table>)`.
 */
export function groupsByRoute(
  parts: Partial<Record<ApiPart, Record<string, () => Router>>> = loadedGroups,
): Record<ApiPart, Record<string, string>> {
  const table = {} as Record<ApiPart, Record<string, string>>;
  for (const [part, groups] of Object.entries(parts) as [ApiPart, Record<string, () => Router>][]) {
    const owners: Record<string, string> = {};
    for (const [group, routes] of Object.entries(groups))
      for (const { method, path } of routes().routes) {
        if (method === 'ALL') continue;
        const key = routeKey({ method: method.toUpperCase(), path: toApiGatewayPath(path) });
        // One app mounting both would serve the route from the first; a table must not guess.
        if (owners[key] !== undefined && owners[key] !== group)
          throw new Error(`Route ${key} is served by both the ${owners[key]} and the ${group} groups of ${part}`);
        owners[key] = group;
      }
    table[part] = owners;
  }
  return table;
}
