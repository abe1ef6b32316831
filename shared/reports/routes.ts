import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { isoDate } from '#shared/conversion/plan.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext } from '#shared/http/env.ts';
import { bearer, jsonBody, jsonContent, problems, requireRole } from '#shared/http/openapi.ts';
import {
  getTargets,
  municipalityReport,
  municipalityReportCsv,
  municipalityReportSchema,
  setTargets,
  targetsInputSchema,
  targetsSchema,
} from './municipality.ts';
import { getSavingsModel, savingsModelSchema, setSavingsModel } from './savings-model.ts';
import { trialReport, trialReportSchema } from './trial.ts';

const trialReportRoute = createRoute({
  method: 'get',
  path: '/reports/trial',
  operationId: 'getTrialReport',
  tags: ['reports'],
  summary: 'The trial evaluation for the caller’s team over a period, from the history as it stood day by day',
  description:
    'Roles: lead. Digital share and time saved from the final-grant versions in force each day (per the municipality’s savings model, printed with the report), screen visits completed / not delivered / missed / cancelled as they stood at the end of the period, reversions by reason code, adherence and dispensers on the last day. A report for a past period does not change with later approvals.',
  security: bearer,
  middleware: [requireRole('lead')] as const,
  'x-roles': ['lead'],
  request: {
    query: z.strictObject({
      from: isoDate.openapi({ example: '2026-11-01' }),
      to: isoDate.openapi({ example: '2026-11-30' }),
    }),
  },
  responses: { 200: jsonContent(trialReportSchema, 'The trial report'), ...problems(400) },
});

// Its own object, not an extension: the document would render an extension as allOf with the
// strict SavingsModel, whose additionalProperties: false then refuses setBy and setAt.
const savingsModelView = z
  .object({ ...savingsModelSchema.shape, setBy: z.string().optional(), setAt: z.string().optional() })
  .openapi('SavingsModelView');

const getSavingsModelRoute = createRoute({
  method: 'get',
  path: '/reports/savings-model',
  operationId: 'getSavingsModel',
  tags: ['reports'],
  summary:
    'The municipality’s savings model: physical minutes, travel minutes per visit, screen-visit length, dose minutes',
  description: 'Roles: lead, reporting, admin. The defaults apply until the municipality sets one.',
  security: bearer,
  middleware: [requireRole('lead', 'reporting', 'admin')] as const,
  'x-roles': ['lead', 'reporting', 'admin'],
  responses: { 200: jsonContent(savingsModelView, 'The savings model') },
});

const putSavingsModelRoute = createRoute({
  method: 'put',
  path: '/reports/savings-model',
  operationId: 'setSavingsModel',
  tags: ['reports'],
  summary: 'Set the municipality’s savings model (every report prints the one it used)',
  description: 'Roles: reporting, admin.',
  security: bearer,
  middleware: [requireRole('reporting', 'admin')] as const,
  'x-roles': ['reporting', 'admin'],
  request: { body: jsonBody(savingsModelSchema) },
  responses: { 200: jsonContent(savingsModelView, 'The savings model as stored'), ...problems(400) },
});

const municipalityReportRoute = createRoute({
  method: 'get',
  path: '/reports/municipality',
  operationId: 'getMunicipalityReport',
  tags: ['reports'],
  summary:
    'The roll-up across all teams on a reporting date, against the municipality’s targets (JSON, or CSV with Accept: text/csv)',
  description:
    'Roles: reporting. Per team and in total: dispensers with a citizen on the date by vendor and model (active and on trial), citizens with a final grant in force, digital share — each from the history as it stood that day — and the mid-way status of every target. Aggregates only.',
  security: bearer,
  middleware: [requireRole('reporting')] as const,
  'x-roles': ['reporting'],
  request: { query: z.strictObject({ date: isoDate.openapi({ example: '2026-11-30' }) }) },
  responses: {
    200: {
      description: 'The roll-up',
      content: {
        'application/json': { schema: municipalityReportSchema },
        'text/csv': {
          schema: z
            .string()
            .openapi({ description: 'date,section,team,vendor,model,metric,value,target,by,expected_by_date,status' }),
        },
      },
    },
    ...problems(400),
  },
});

const getTargetsRoute = createRoute({
  method: 'get',
  path: '/reports/municipality/targets',
  operationId: 'getMunicipalityTargets',
  tags: ['reports'],
  summary: 'The municipality’s targets and trial dates',
  description: 'Roles: reporting (the targets name teams, so no team-scoped role reads them).',
  security: bearer,
  middleware: [requireRole('reporting')] as const,
  'x-roles': ['reporting'],
  responses: { 200: jsonContent(targetsSchema, 'The targets') },
});

const putTargetsRoute = createRoute({
  method: 'put',
  path: '/reports/municipality/targets',
  operationId: 'setMunicipalityTargets',
  tags: ['reports'],
  summary:
    'Set the municipality’s targets (e.g. at least 700 dispensers by a date) and the trial’s start and mid-way dates',
  description:
    'Roles: reporting (the targets name teams, so no team-scoped role reads them). Replaces the targets as a whole.',
  security: bearer,
  middleware: [requireRole('reporting')] as const,
  'x-roles': ['reporting'],
  request: { body: jsonBody(targetsInputSchema) },
  responses: { 200: jsonContent(targetsSchema, 'The targets as stored'), ...problems(400) },
});

export function municipalityReportRoutes() {
  return newRouter()
    .openapi(municipalityReportRoute, async (c) => {
      const report = await municipalityReport(c.get('deps'), c.req.valid('query').date);
      if ((c.req.header('accept') ?? '').includes('text/csv')) {
        return c.body(municipalityReportCsv(report), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="municipality-${report.date}.csv"`,
        });
      }
      return c.json(report, 200);
    })
    .openapi(getTargetsRoute, async (c) => c.json(await getTargets(c.get('deps')), 200))
    .openapi(putTargetsRoute, async (c) =>
      c.json(await setTargets(c.get('deps'), requestContext(c), c.req.valid('json')), 200),
    );
}

export function trialReportRoutes() {
  return newRouter()
    .openapi(trialReportRoute, async (c) =>
      c.json(await trialReport(c.get('deps'), requestContext(c), c.req.valid('query')), 200),
    )
    .openapi(getSavingsModelRoute, async (c) => c.json(await getSavingsModel(c.get('deps')), 200))
    .openapi(putSavingsModelRoute, async (c) =>
      c.json(await setSavingsModel(c.get('deps'), requestContext(c), c.req.valid('json')), 200),
    );
}
