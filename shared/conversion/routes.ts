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
  approveConversion,
  approveConversionSchema,
  conversionSchema,
  listConversions,
  proposeConversion,
  proposeConversionSchema,
} from './conversions.ts';
import { endGrant, endGrantSchema } from './end-grant.ts';
import { finalGrantSchema, finalGrantViewSchema, readFinalGrant } from './final-grants.ts';
import { grantSchema, listGrants, recordGrant, recordGrantSchema } from './grants.ts';
import { revertLine, revertLineSchema } from './revert.ts';
import { reversionSchema } from './reversions.ts';

const CitizenParam = z.object({ citizenId: idParam('cit') });

const recordGrantRoute = createRoute({
  method: 'post',
  path: '/citizens/{citizenId}/grants',
  operationId: 'recordGrant',
  tags: ['conversion'],
  summary: 'Record a granted benefit (paragraph, service, frequency, extent)',
  description:
    'Checked: the service fits the paragraph (§ 83: practical help, personal care, safety check; § 83a: rehabilitation; § 85: everyday support, support conversation; § 82: initial support, support conversation; SUL § 138: medication handling, home nursing), unique weekdays and times, one time of day per occurrence for a daily grant, endDate not before startDate.',
  security: bearer,
  middleware: [requireRole('assessor')] as const,
  'x-roles': ['assessor'],
  request: { params: CitizenParam, body: jsonBody(recordGrantSchema) },
  responses: { 201: jsonContent(grantSchema, 'The recorded grant'), ...problems(400, 404, 415) },
});

const listGrantsRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/grants',
  operationId: 'listGrants',
  tags: ['conversion'],
  summary: 'A citizen’s granted benefits, oldest first',
  description: 'Assessors, and E-team staff and leads who propose and approve conversions, may read them.',
  security: bearer,
  middleware: [requireRole('assessor', 'staff', 'lead')] as const,
  'x-roles': ['assessor', 'staff', 'lead'],
  request: { params: CitizenParam, query: PaginationQuery },
  responses: { 200: jsonContent(pageOf(grantSchema, 'GrantPage'), 'Grants'), ...problems(400, 404) },
});

const endGrantRoute = createRoute({
  method: 'patch',
  path: '/citizens/{citizenId}/grants/{grantId}',
  operationId: 'endGrant',
  tags: ['conversion'],
  summary: 'End a granted benefit (the decision changed; the citizen moved or died)',
  description:
    'The only change a grant allows. `endDate` is the last day (inclusive), not before the grant’s startDate (400 at body/endDate). A grant is never extended: an endDate later than one it already has is 409 `grant-ended` (record a new grant instead); the same or an earlier one is accepted and replaces the reason. The current final grant ends the benefit on the same day (its line, screen-visit plan entry and dose plan), so the figures stop counting it; a conversion proposed before this cannot be approved (409 `grants-changed`).',
  security: bearer,
  middleware: [requireRole('assessor')] as const,
  'x-roles': ['assessor'],
  request: { params: z.object({ citizenId: idParam('cit'), grantId: idParam('grt') }), body: jsonBody(endGrantSchema) },
  responses: { 200: jsonContent(grantSchema, 'The ended grant'), ...problems(400, 404, 409, 415) },
});

const proposeRoute = createRoute({
  method: 'post',
  path: '/citizens/{citizenId}/conversions',
  operationId: 'proposeConversion',
  tags: ['conversion'],
  summary: 'Propose the split of each benefit into physical visit, screen visit and medication technology',
  description:
    'One split per grant that has not ended (list a benefit to keep physical with all occurrences physical). Each split sums exactly to the grant’s times per day or week; medication technology only for a daily medication-handling grant, and for one grant at most. 409 (`reason: no-assessment` or `not-ready`) unless the latest assessment is ready or ready_with_support.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParam, body: jsonBody(proposeConversionSchema) },
  responses: { 201: jsonContent(conversionSchema, 'The proposed conversion'), ...problems(400, 404, 409, 415) },
});

const listConversionsRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/conversions',
  operationId: 'listConversions',
  tags: ['conversion'],
  summary: 'A citizen’s conversions, newest first (proposed and approved)',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParam, query: PaginationQuery },
  responses: { 200: jsonContent(pageOf(conversionSchema, 'ConversionPage'), 'Conversions'), ...problems(400, 404) },
});

const approveRoute = createRoute({
  method: 'post',
  path: '/conversions/{conversionId}/approve',
  operationId: 'approveConversion',
  tags: ['conversion'],
  summary: 'Approve a proposed conversion: it becomes the citizen’s final grant',
  description:
    'The body is optional (`{ "note": "…" }`). 409 when the conversion is not `proposed` (`not-proposed`), the latest assessment is not ready (`not-ready`), a grant was recorded or ended since the proposal (`grants-changed`), or another approval for the citizen won a race (`final-grant-changed`). Publishes FinalGrantApproved.',
  security: bearer,
  middleware: [requireRole('lead')] as const,
  'x-roles': ['lead'],
  request: {
    params: z.object({ conversionId: idParam('cnv') }),
    body: { required: false, content: { 'application/json': { schema: approveConversionSchema } } },
  },
  responses: { 201: jsonContent(finalGrantSchema, 'The new final grant'), ...problems(400, 404, 409, 415) },
});

const finalGrantRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/final-grant',
  operationId: 'getFinalGrant',
  tags: ['conversion'],
  summary: 'The citizen’s current final grant, its per-week figures and the history of final grants',
  description:
    'figures: granted occurrences per week and how many are delivered physically, by screen visit and by medication technology; digitalShare = digital / granted; staffMinutesSavedPerWeek = (physical minutes + TRAVEL_MINUTES_PER_VISIT) of every moved occurrence, minus the screen-visit minutes. 404 when the citizen has no final grant yet.',
  security: bearer,
  middleware: [requireRole('assessor', 'staff', 'lead')] as const,
  'x-roles': ['assessor', 'staff', 'lead'],
  request: { params: CitizenParam },
  responses: { 200: jsonContent(finalGrantViewSchema, 'The final grant'), ...problems(400, 404) },
});

const revertLineRoute = createRoute({
  method: 'post',
  path: '/citizens/{citizenId}/final-grant/reversions',
  operationId: 'revertFinalGrantLine',
  tags: ['conversion'],
  summary: 'Revert a screen-visit line of the final grant to physical visits, with a reason code',
  description:
    'Roles: staff, lead. Reason codes: cannot_handle_device, dose_plan_unsuitable, citizen_declined, other (with reasonText). A new final-grant version supersedes the current one; future screen visits of the line are cancelled. 409 nothing-to-revert when the line has no screen visits.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParam, body: jsonBody(revertLineSchema) },
  responses: {
    201: jsonContent(
      z.object({ reversion: reversionSchema, finalGrant: finalGrantSchema.optional() }).openapi('RevertLineResult'),
      'The reversion and the new final grant',
    ),
    ...problems(400, 404, 409),
  },
});

export function conversionRoutes() {
  return newRouter()
    .openapi(recordGrantRoute, async (c) =>
      c.json(
        await recordGrant(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('json')),
        201,
      ),
    )
    .openapi(listGrantsRoute, async (c) =>
      c.json(
        await listGrants(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('query')),
        200,
      ),
    )
    .openapi(endGrantRoute, async (c) => {
      const { citizenId, grantId } = c.req.valid('param');
      return c.json(await endGrant(c.get('deps'), requestContext(c), citizenId, grantId, c.req.valid('json')), 200);
    })
    .openapi(proposeRoute, async (c) =>
      c.json(
        await proposeConversion(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('json')),
        201,
      ),
    )
    .openapi(listConversionsRoute, async (c) =>
      c.json(
        await listConversions(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('query')),
        200,
      ),
    )
    .openapi(approveRoute, async (c) =>
      c.json(
        await approveConversion(
          c.get('deps'),
          requestContext(c),
          c.req.valid('param').conversionId,
          c.req.valid('json') ?? {},
        ),
        201,
      ),
    )
    .openapi(finalGrantRoute, async (c) =>
      c.json(await readFinalGrant(c.get('deps'), requestContext(c), c.req.valid('param').citizenId), 200),
    )
    .openapi(revertLineRoute, async (c) =>
      c.json(
        await revertLine(c.get('deps'), requestContext(c), c.req.valid('param').citizenId, c.req.valid('json'), true),
        201,
      ),
    );
}
