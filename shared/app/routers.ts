import type { Router } from '#shared/http/env.ts';
import { adminGroups } from '#shared/app/parts/admin-groups.ts';
import { careGroups } from '#shared/app/parts/care-groups.ts';
import { deviceEventsGroups } from '#shared/app/parts/device-events-groups.ts';
import { dispensersGroups } from '#shared/app/parts/dispensers-groups.ts';
import type { RouteGroups } from '#shared/app/parts/route-groups.ts';
import { reportsGroups } from '#shared/app/parts/reports-groups.ts';
import { visitsGroups } from '#shared/app/parts/visits-groups.ts';

/**
 * The API in parts: each part is one Lambda behind API Gateway (least privilege, small bundle:
 * its entry in functions/http names only its own part's groups), and `npm start` and the tests
 * mount them all. infra/ reads each part's routes, and the group that serves each, from here.
 */
export const partGroups = {
  care: careGroups,
  visits: visitsGroups,
  dispensers: dispensersGroups,
  deviceEvents: deviceEventsGroups,
  reports: reportsGroups,
  admin: adminGroups,
} satisfies Record<string, RouteGroups>;

export type ApiPart = keyof typeof partGroups;

/** Every group's router factory, loaded: what runs everything in one process needs up front. */
async function loadGroups(groups: RouteGroups): Promise<Record<string, () => Router>> {
  const entries = await Promise.all(Object.entries(groups).map(async ([name, load]) => [name, await load()] as const));
  return Object.fromEntries(entries);
}

/** Each part's groups, loaded, by part and group name, in mount order. */
export const loadedGroups = Object.fromEntries(
  await Promise.all(
    Object.entries(partGroups).map(async ([part, groups]) => [part, await loadGroups(groups)] as const),
  ),
) as Record<ApiPart, Record<string, () => Router>>;

/** Each part's routers, as one app mounting the part would mount them. */
export const apiParts = Object.fromEntries(
  Object.entries(loadedGroups).map(([part, groups]) => [part, () => Object.values(groups).map((routes) => routes())]),
) as Record<ApiPart, () => Router[]>;

export { credentialRoutes, deviceRoutes } from '#shared/http/credential-routes.ts';

export function allRouters(): Router[] {
  return Object.values(apiParts).flatMap((part) => part());
}
