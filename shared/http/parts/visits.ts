import type { Router } from '../env.ts';

/** Availability, screen visits, video sessions, calendars. */
export const visitsRouters = (): Router[] => [];
