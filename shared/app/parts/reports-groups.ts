import type { RouteGroups } from './route-groups.ts';

/** Evaluation figures for the lead: the trial report and the dispenser status report. */
export const reportsGroups = {
  trial: async () => (await import('#shared/reports/routes.ts')).trialReportRoutes,
  dispenserStatus: async () => (await import('#shared/dispensers/report-routes.ts')).dispenserReportRoutes,
  municipality: async () => (await import('#shared/reports/routes.ts')).municipalityReportRoutes,
} satisfies RouteGroups;
