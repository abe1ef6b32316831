import { alertRoutes } from '../../alerts/routes.ts';
import { dispenserRoutes } from '../../dispensers/routes.ts';
import { notificationRoutes } from '../../notifications/routes.ts';
import type { Router } from '../env.ts';

/** Dispenser registry, assignments, dose plans, adherence, alerts, duty rosters and alert routing. */
export const dispensersRouters = (): Router[] => [alertRoutes(), dispenserRoutes(), notificationRoutes()];
