import { loadedGroups, type ApiPart } from './routers.ts';

/** One route of an API part and the group (./parts/) whose router serves it; `path` in Hono's form. */
export interface GroupRoute {
  readonly method: string;
  readonly path: string;
  readonly group: string;
}

/**
 * Every part's routes with the group that serves each, in mount order: what a part's Lambda needs
 * to pick the group a request reaches without loading any group (./route-dispatch.ts).
 *
 * Run as written, it loads every router. Bundling replaces this module by its result
 * (`routeTableAtBuildTime` in infra/bundling.ts), so a Lambda carries the table as a constant.
 * Keep the export's name and shape: the replacement is `export const routeTable = () => (<the table>)`.
 */
export function routeTable(): Record<ApiPart, GroupRoute[]> {
  return Object.fromEntries(
    Object.entries(loadedGroups).map(([part, groups]) => [
      part,
      Object.entries(groups).flatMap(([group, routes]) =>
        routes()
          .routes.filter((r) => r.method !== 'ALL')
          .map((r) => ({ method: r.method.toUpperCase(), path: r.path, group })),
      ),
    ]),
  ) as Record<ApiPart, GroupRoute[]>;
}
