import { visitRoutes } from '../../visits/routes.ts';
import type { Router } from '../env.ts';

/** Availability, screen visits, video sessions, calendars. */
export const visitsRouters = (): Router[] => [visitRoutes()];
