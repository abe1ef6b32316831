import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
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
import { requestContext as ctxOf } from '#shared/http/env.ts';
import {
  acknowledgeVisibleAlert,
  listTechnicalAlerts,
  resolveVisibleAlert,
  seesTechnicalOnly,
} from '#shared/notifications/technical-alerts.ts';
import { alertSchema, alertStatuses, listAlerts } from './alerts.ts';

const AlertSchema = alertSchema.openapi('Alert');
const AlertParams = z.object({ alertId: idParam('alr') });

const listAlertsRoute = createRoute({
  method: 'get',
  path: '/alerts',
  operationId: 'listAlerts',
  tags: ['alerts'],
  summary: 'The team’s alerts in one status (default open), oldest first; or one citizen’s, newest first',
  description:
    'Roles: staff, lead (every alert of the team); support (the team’s IT supporter: only technical alerts — device faults, silent devices, tablets not seen; `citizenId` is 404 for support, who does not see citizens). A page may hold fewer items than `limit` while `nextCursor` says there are more.',
  security: bearer,
  middleware: [requireRole('staff', 'lead', 'support')] as const,
  'x-roles': ['staff', 'lead', 'support'],
  request: {
    query: PaginationQuery.extend({
      status: z.enum(alertStatuses).default('open'),
      escalated: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional()
        .openapi({ description: 'Only alerts flagged (or not) for the lead' }),
      citizenId: idParam('cit').optional(),
    }),
  },
  responses: { 200: jsonContent(pageOf(AlertSchema, 'AlertPage'), 'Alerts'), ...problems(400) },
});

const ackRoute = createRoute({
  method: 'post',
  path: '/alerts/{alertId}/ack',
  operationId: 'acknowledgeAlert',
  tags: ['alerts'],
  summary: 'Acknowledge an open alert (it stops counting towards escalation)',
  description:
    'Roles: staff, lead (any alert of the team); support (only the team’s technical alerts; a clinical alert is 404 for support, as an unknown id).',
  security: bearer,
  middleware: [requireRole('staff', 'lead', 'support')] as const,
  'x-roles': ['staff', 'lead', 'support'],
  request: {
    params: AlertParams,
    body: { ...jsonBody(z.strictObject({ note: z.string().trim().min(1).max(2000).optional() })), required: false },
  },
  responses: { 200: jsonContent(AlertSchema, 'The acknowledged alert'), ...problems(400, 404, 409) },
});

const resolveRoute = createRoute({
  method: 'post',
  path: '/alerts/{alertId}/resolve',
  operationId: 'resolveAlert',
  tags: ['alerts'],
  summary: 'Resolve an alert with a note on what was done',
  description:
    'Roles: staff, lead (any alert of the team); support (only the team’s technical alerts; a clinical alert is 404 for support, as an unknown id).',
  security: bearer,
  middleware: [requireRole('staff', 'lead', 'support')] as const,
  'x-roles': ['staff', 'lead', 'support'],
  request: { params: AlertParams, body: jsonBody(z.strictObject({ note: z.string().trim().min(1).max(2000) })) },
  responses: { 200: jsonContent(AlertSchema, 'The resolved alert'), ...problems(400, 404, 409) },
});

export function alertRoutes() {
  return newRouter()
    .openapi(listAlertsRoute, async (c) => {
      const ctx = ctxOf(c);
      const list = seesTechnicalOnly(ctx.actor) ? listTechnicalAlerts : listAlerts;
      return c.json(await list(c.get('deps'), ctx, c.req.valid('query')), 200);
    })
    .openapi(ackRoute, async (c) => {
      const body = (c.req.valid('json') as { note?: string } | undefined) ?? {};
      return c.json(
        await acknowledgeVisibleAlert(c.get('deps'), ctxOf(c), c.req.valid('param').alertId, body.note),
        200,
      );
    })
    .openapi(resolveRoute, async (c) =>
      c.json(
        await resolveVisibleAlert(c.get('deps'), ctxOf(c), c.req.valid('param').alertId, c.req.valid('json').note),
        200,
      ),
    );
}
