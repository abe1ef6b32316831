import { freeTimeRoutes } from '../../visits/free-time-routes.ts';
import { visitRoutes } from '../../visits/routes.ts';
import type { Router } from '../env.ts';

/** Availability, screen visits, video sessions, calendars, free time. */
export const visitsRouters = (): Router[] => [visitRoutes(), freeTimeRoutes()];
