import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext } from '#shared/http/env.ts';
import {
  bearer,
  idParam,
  jsonBody,
  jsonContent,
  pageOf,
  PaginationQuery,
  problems,
  requireRole,
} from '#shared/http/openapi.ts';
import {
  assessmentSchema,
  currentQuestionnaire,
  listAssessments,
  publishQuestionnaire,
  recordAssessment,
  recordAssessmentSchema,
  requireQuestionnaire,
} from './assessments.ts';
import { questionnaireDefinitionSchema, questionnaireSchema } from './questionnaire.ts';

const readers = requireRole('assessor', 'staff', 'lead', 'admin');
const CitizenParam = z.object({ citizenId: idParam('cit') });

const currentRoute = createRoute({
  method: 'get',
  path: '/questionnaires/current',
  operationId: 'getCurrentQuestionnaire',
  tags: ['assessment'],
  summary: 'The current digital-readiness questionnaire (Danish and English)',
  description: 'The shipped default is published as version 1 the first time a questionnaire is needed.',
  security: bearer,
  middleware: [readers] as const,
  'x-roles': ['assessor', 'staff', 'lead', 'admin'],
  responses: { 200: jsonContent(questionnaireSchema, 'The highest published version'), ...problems() },
});

const versionRoute = createRoute({
  method: 'get',
  path: '/questionnaires/{version}',
  operationId: 'getQuestionnaire',
  tags: ['assessment'],
  summary: 'One published questionnaire version (to read an old assessment against the version it answered)',
  security: bearer,
  middleware: [readers] as const,
  'x-roles': ['assessor', 'staff', 'lead', 'admin'],
  request: { params: z.object({ version: z.coerce.number().int().min(1).max(999_999).openapi({ example: 1 }) }) },
  responses: { 200: jsonContent(questionnaireSchema, 'The version'), ...problems(400, 404) },
});

const publishRoute = createRoute({
  method: 'post',
  path: '/questionnaires',
  operationId: 'publishQuestionnaire',
  tags: ['assessment'],
  summary: 'Publish a new questionnaire version (N+1); published versions never change',
  description:
    'Checked before publishing: unique question ids, options for choice and scale questions (and only for them), and triggers (`blocksWhen`, `supportWhen`, `helpsWhen`) that fit the question’s type and role.',
  security: bearer,
  middleware: [requireRole('admin')] as const,
  'x-roles': ['admin'],
  request: { body: jsonBody(questionnaireDefinitionSchema) },
  responses: { 201: jsonContent(questionnaireSchema, 'The published version'), ...problems(400, 409, 415) },
});

const recordRoute = createRoute({
  method: 'post',
  path: '/citizens/{citizenId}/assessments',
  operationId: 'recordAssessment',
  tags: ['assessment'],
  summary: 'Answer the readiness questionnaire for a citizen; returns the decision and its reasons',
  description:
    'Answers are keyed by question id and checked against the version answered (the current one when `questionnaireVersion` is left out): an unknown question, a missing required answer or a wrong type is a 400 naming `body/answers/<questionId>`. The decision rule is in shared/assessment/README.md.',
  security: bearer,
  middleware: [requireRole('assessor')] as const,
  'x-roles': ['assessor'],
  request: { params: CitizenParam, body: jsonBody(recordAssessmentSchema) },
  responses: { 201: jsonContent(assessmentSchema, 'The assessment with its decision'), ...problems(400, 404, 415) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/assessments',
  operationId: 'listAssessments',
  tags: ['assessment'],
  summary: 'A citizen’s assessments, newest first (the first one counts)',
  description: 'Assessors, and E-team staff and leads who decide conversions, may read them.',
  security: bearer,
  middleware: [requireRole('assessor', 'staff', 'lead')] as const,
  'x-roles': ['assessor', 'staff', 'lead'],
  request: { params: CitizenParam, query: PaginationQuery },
  responses: { 200: jsonContent(pageOf(assessmentSchema, 'AssessmentPage'), 'Assessments'), ...problems(400, 404) },
});

export function assessmentRoutes() {
  return newRouter()
    .openapi(currentRoute, async (c) => c.json(await currentQuestionnaire(c.get('deps')), 200))
    .openapi(versionRoute, async (c) =>
      c.json(await requireQuestionnaire(c.get('deps'), c.req.valid('param').version), 200),
    )
    .openapi(publishRoute, async (c) =>
      c.json(await publishQuestionnaire(c.get('deps'), requestContext(c), c.req.valid('json')), 201),
    )
    .openapi(recordRoute, async (c) =>
      c.json(
        await recordAssessment(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('json')),
        201,
      ),
    )
    .openapi(listRoute, async (c) =>
      c.json(
        await listAssessments(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('query')),
        200,
      ),
    );
}
