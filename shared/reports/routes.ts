import { createRoute, z } from '@hono/zod-openapi';
import { isoDate } from '../conversion/plan.ts';
import { newRouter } from '../http/app.ts';
import { requestContext } from '../http/env.ts';
import { bearer, jsonContent, problems, requireRole } from '../http/openapi.ts';
import { trialReport, trialReportSchema } from './trial.ts';

const trialReportRoute = createRoute({
  method: 'get',
  path: '/reports/trial',
  operationId: 'getTrialReport',
  tags: ['reports'],
  summary: 'The trial evaluation for the caller’s team over a period: digital share, time saved, visits completed vs missed, adherence, dispensers',
  security: bearer,
  middleware: [requireRole('lead')] as const,
  'x-roles': ['lead'],
  request: { query: z.strictObject({ from: isoDate.openapi({ example: '2026-11-01' }), to: isoDate.openapi({ example: '2026-11-30' }) }) },
  responses: { 200: jsonContent(trialReportSchema, 'The trial report'), ...problems(400) },
});

export function trialReportRoutes() {
  return newRouter().openapi(trialReportRoute, async (c) => c.json(await trialReport(c.get('deps'), requestContext(c), c.req.valid('query')), 200));
}
