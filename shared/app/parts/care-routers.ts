import { assessmentRoutes } from '#shared/assessment/routes.ts';
import { citizenRoutes } from '#shared/citizens/routes.ts';
import { conversionRoutes } from '#shared/conversion/routes.ts';
import type { Router } from '#shared/http/env.ts';

/** Citizens, questionnaires, assessments, grants, conversions, final grants and their figures. */
export const careRouters = (): Router[] => [citizenRoutes(), assessmentRoutes(), conversionRoutes()];
