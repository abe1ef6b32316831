import { dispenserReportRoutes } from '#shared/dispensers/report-routes.ts';
import { municipalityReportRoutes, trialReportRoutes } from '#shared/reports/routes.ts';
import type { Router } from '#shared/http/env.ts';

/** Evaluation figures for the lead: the trial report and the dispenser status report. */
export const reportsRouters = (): Router[] => [
  trialReportRoutes(),
  dispenserReportRoutes(),
  municipalityReportRoutes(),
];
