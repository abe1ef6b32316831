import type { RouteGroups } from './route-groups.ts';

/** Audit log and administration. */
export const adminGroups = {
  audit: async () => (await import('#shared/audit/routes.ts')).auditRoutes,
  accessLog: async () => (await import('#shared/audit/routes.ts')).accessLogRoutes,
} satisfies RouteGroups;
