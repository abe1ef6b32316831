import type { Router } from '../env.ts';

/** Dispenser registry, assignments, dose plans, adherence, alerts. */
export const dispensersRouters = (): Router[] => [];
