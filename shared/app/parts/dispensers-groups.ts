import type { RouteGroups } from './route-groups.ts';

/** Dispenser registry, assignments, dose plans, adherence, alerts, duty rosters and alert routing. */
export const dispensersGroups = {
  alerts: async () => (await import('#shared/alerts/routes.ts')).alertRoutes,
  dispensers: async () => (await import('#shared/dispensers/routes.ts')).dispenserRoutes,
  notifications: async () => (await import('#shared/notifications/routes.ts')).notificationRoutes,
} satisfies RouteGroups;
