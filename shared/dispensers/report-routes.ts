import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { isoDate } from '#shared/conversion/plan.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
import { bearer, jsonContent, problems, requireRole } from '#shared/http/openapi.ts';
import { dispenserReportSchema } from './model.ts';
import { dispenserReport } from './report.ts';

const reportRoute = createRoute({
  method: 'get',
  path: '/reports/dispensers',
  operationId: 'getDispenserReport',
  tags: ['reports'],
  summary:
    'Dispensers with a citizen on a reporting date (by vendor and model), citizens with one, and adherence over the month before',
  security: bearer,
  middleware: [requireRole('lead')] as const,
  'x-roles': ['lead'],
  request: {
    query: z.strictObject({ date: isoDate.openapi({ description: 'Reporting date (local)', example: '2026-11-30' }) }),
  },
  responses: { 200: jsonContent(dispenserReportSchema, 'The report'), ...problems(400) },
});

export function dispenserReportRoutes() {
  return newRouter().openapi(reportRoute, async (c) =>
    c.json(await dispenserReport(c.get('deps'), ctxOf(c), c.req.valid('query').date), 200),
  );
}
