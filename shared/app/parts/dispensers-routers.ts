import { alertRoutes } from '#shared/alerts/routes.ts';
import { dispenserRoutes } from '#shared/dispensers/routes.ts';
import { notificationRoutes } from '#shared/notifications/routes.ts';
import type { Router } from '#shared/http/env.ts';

/** Dispenser registry, assignments, dose plans, adherence, alerts, duty rosters and alert routing. */
export const dispensersRouters = (): Router[] => [alertRoutes(), dispenserRoutes(), notificationRoutes()];
