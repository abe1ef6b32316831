import type { Router } from '#shared/http/env.ts';
import { adminGroups } from '#shared/app/parts/admin-routers.ts';
import { careGroups } from '#shared/app/parts/care-routers.ts';
import { deviceEventsGroups } from '#shared/app/parts/device-events-routers.ts';
import { dispensersGroups } from '#shared/app/parts/dispensers-routers.ts';
import { reportsGroups } from '#shared/app/parts/reports-routers.ts';
import { visitsGroups } from '#shared/app/parts/visits-routers.ts';
import type { RouteGroups } from '#shared/app/parts/route-groups.ts';

/**
 * The API in parts: each part is one Lambda behind API Gateway (least privilege, small bundle:
 * its entry in functions/http imports only its own part's groups, each loaded by the first
 * request that reaches it), and `npm start` and the tests mount them all. infra/ reads each
 * part's routes from here.
 */
export const apiGroups = {
  care: careGroups,
  visits: visitsGroups,
  dispensers: dispensersGroups,
  deviceEvents: deviceEventsGroups,
  reports: reportsGroups,
  admin: adminGroups,
} satisfies Record<string, RouteGroups>;

export type ApiPart = keyof typeof apiGroups;

/** Every part's groups, loaded: here everything is mounted at once, so each router factory is loaded up front. */
export const loadedGroups = Object.fromEntries(
  await Promise.all(
    Object.entries(apiGroups).map(
      async ([part, groups]) =>
        [
          part,
          Object.fromEntries(
            await Promise.all(Object.entries(groups).map(async ([name, load]) => [name, await load()] as const)),
          ),
        ] as const,
    ),
  ),
) as Record<ApiPart, Record<string, () => Router>>;

/** Each part's routers in mount order. */
export const apiParts = Object.fromEntries(
  Object.entries(loadedGroups).map(([part, groups]) => [part, () => Object.values(groups).map((routes) => routes())]),
) as Record<ApiPart, () => Router[]>;

export { credentialRoutes, deviceRoutes } from '#shared/http/credential-routes.ts';

export function allRouters(): Router[] {
  return Object.values(apiParts).flatMap((part) => part());
}
