import { dispenserReportRoutes } from '../../dispensers/report-routes.ts';
import { municipalityReportRoutes, trialReportRoutes } from '../../reports/routes.ts';
import type { Router } from '../env.ts';

/** Evaluation figures for the lead: the trial report and the dispenser status report. */
export const reportsRouters = (): Router[] => [trialReportRoutes(), dispenserReportRoutes(), municipalityReportRoutes()];
