import { visitRoutes } from '../../visits/routes.ts';
import { staffRoutes } from '../../visits/staff-routes.ts';
import type { Router } from '../env.ts';

/** Availability, screen visits, video sessions, calendars. */
export const visitsRouters = (): Router[] => [visitRoutes(), staffRoutes()];
