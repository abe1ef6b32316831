import type { RouteGroups } from './route-groups.ts';

/** Citizens, questionnaires, assessments, grants, conversions, final grants and their figures. */
export const careGroups = {
  citizens: async () => (await import('#shared/citizens/routes.ts')).citizenRoutes,
  assessments: async () => (await import('#shared/assessment/routes.ts')).assessmentRoutes,
  conversions: async () => (await import('#shared/conversion/routes.ts')).conversionRoutes,
} satisfies RouteGroups;
