import type { RouteGroups } from './route-groups.ts';

/** The device ingest route: authenticated by the dispenser's credential, not a JWT. */
export const deviceEventsGroups = {
  deviceEvents: async () => (await import('#shared/dispensers/device-ingest-routes.ts')).deviceEventRoutes,
} satisfies RouteGroups;
