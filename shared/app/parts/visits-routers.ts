import { freeTimeRoutes } from '#shared/visits/free-time-routes.ts';
import { visitRoutes } from '#shared/visits/routes.ts';
import { staffRoutes } from '#shared/visits/staff-routes.ts';
import { tabletRoutes } from '#shared/tablets/routes.ts';
import type { Router } from '#shared/http/env.ts';

/** Availability, screen visits, video sessions, calendars, free time; the staff directory; citizens' tablets (pairing) that join them. */
export const visitsRouters = (): Router[] => [visitRoutes(), staffRoutes(), tabletRoutes(), freeTimeRoutes()];
