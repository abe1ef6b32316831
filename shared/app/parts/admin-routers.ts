import { accessLogRoutes, auditRoutes } from '#shared/audit/routes.ts';
import type { Router } from '#shared/http/env.ts';

/** Audit log and administration. */
export const adminRouters = (): Router[] => [auditRoutes(), accessLogRoutes()];
