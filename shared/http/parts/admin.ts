import { accessLogRoutes, auditRoutes } from '../../audit/routes.ts';
import type { Router } from '../env.ts';

/** Audit log and administration. */
export const adminRouters = (): Router[] => [auditRoutes(), accessLogRoutes()];
