import { assessmentRoutes } from '../../assessment/routes.ts';
import { citizenRoutes } from '../../citizens/routes.ts';
import { conversionRoutes } from '../../conversion/routes.ts';
import type { Router } from '../env.ts';

/** Citizens, questionnaires, assessments, grants, conversions, final grants and their figures. */
export const careRouters = (): Router[] => [citizenRoutes(), assessmentRoutes(), conversionRoutes()];
