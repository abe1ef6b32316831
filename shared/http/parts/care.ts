import type { Router } from '../env.ts';

/** Citizens, questionnaires, assessments, grants, conversions, final grants and their figures. */
export const careRouters = (): Router[] => [];
