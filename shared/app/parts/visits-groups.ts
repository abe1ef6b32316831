import type { RouteGroups } from './route-groups.ts';

/** Availability, screen visits, video sessions, calendars, free time; the staff directory; citizens' tablets (pairing) that join them. */
export const visitsGroups = {
  visits: async () => (await import('#shared/visits/routes.ts')).visitRoutes,
  staff: async () => (await import('#shared/visits/staff-routes.ts')).staffRoutes,
  tablets: async () => (await import('#shared/tablets/routes.ts')).tabletRoutes,
  freeTime: async () => (await import('#shared/visits/free-time-routes.ts')).freeTimeRoutes,
} satisfies RouteGroups;
