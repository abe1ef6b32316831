import { freeTimeRoutes } from '../../visits/free-time-routes.ts';
import { visitRoutes } from '../../visits/routes.ts';
import { staffRoutes } from '../../visits/staff-routes.ts';
import { tabletRoutes } from '../../tablets/routes.ts';
import type { Router } from '../env.ts';

/** Availability, screen visits, video sessions, calendars, free time; the staff directory; citizens' tablets (pairing) that join them. */
export const visitsRouters = (): Router[] => [visitRoutes(), staffRoutes(), tabletRoutes(), freeTimeRoutes()];
