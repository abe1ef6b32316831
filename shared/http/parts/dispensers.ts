import { alertRoutes } from '../../alerts/routes.ts';
import { dispenserRoutes } from '../../dispensers/routes.ts';
import type { Router } from '../env.ts';

/** Dispenser registry, assignments, dose plans, adherence, alerts. */
export const dispensersRouters = (): Router[] => [alertRoutes(), dispenserRoutes()];
