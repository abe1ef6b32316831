import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import { bearer, idParam, jsonContent, pageOf, PaginationQuery, problems, requireRole } from '#shared/http/openapi.ts';
import { accessLogEntrySchema, citizenAccessLog, myAccessLog } from './access-log.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
import { auditRecordSchema } from './audit.ts';
import { readAuditLog } from './audit-reads.ts';
import { isoDateTime } from '#shared/platform/time-input.ts';

const AuditQuery = PaginationQuery.extend({
  citizenId: idParam('cit').optional(),
  actor: z.string().min(1).max(128).optional().openapi({ description: 'A subject: everything this caller did' }),
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
});

const listAuditRoute = createRoute({
  method: 'get',
  path: '/audit',
  operationId: 'listAudit',
  tags: ['audit'],
  summary: 'Who read or changed what about a citizen, and when (newest first)',
  description:
    'Roles: admin — the citizens and subjects (staff, citizens, dispensers) of their own team; another team’s is 404. dpo (the municipality’s data-protection officer, Cognito group `dpo`) — every team. Reading the audit log is itself audited.',
  'x-roles': ['admin', 'dpo'],
  security: bearer,
  middleware: [requireRole('admin', 'dpo')] as const,
  request: { query: AuditQuery },
  responses: {
    200: jsonContent(pageOf(auditRecordSchema.openapi('AuditRecord'), 'AuditPage'), 'Audit records'),
    ...problems(400, 404),
  },
});

export function auditRoutes() {
  return newRouter().openapi(listAuditRoute, async (c) => {
    const query = c.req.valid('query');
    const toIso = (s: string | undefined) => (s ? new Date(s).toISOString() : undefined);
    const page = await readAuditLog(c.get('deps'), ctxOf(c), {
      ...query,
      from: toIso(query.from),
      to: toIso(query.to),
    });
    return c.json(page, 200);
  });
}

const accessLogPage = pageOf(accessLogEntrySchema, 'AccessLogPage');

const myAccessLogRoute = createRoute({
  method: 'get',
  path: '/me/access-log',
  operationId: 'getMyAccessLog',
  tags: ['audit'],
  summary: 'Who looked at or changed my data, what, when and why (newest first; Danish and English)',
  description:
    'Roles: citizen (the tablet’s token; the log of its own citizen only). From the audit records; reading it is audited too.',
  'x-roles': ['citizen'],
  security: bearer,
  middleware: [requireRole('citizen')] as const,
  request: { query: PaginationQuery },
  responses: { 200: jsonContent(accessLogPage, 'The access log'), ...problems(400) },
});

const citizenAccessLogRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/access-log',
  operationId: 'getCitizenAccessLog',
  tags: ['audit'],
  summary: 'A citizen’s access log, shown to them by staff on their behalf (newest first; Danish and English)',
  description: 'Roles: staff, lead — for a citizen of their own team (another team’s is 404). Reading it is audited.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: z.object({ citizenId: idParam('cit') }), query: PaginationQuery },
  responses: { 200: jsonContent(accessLogPage, 'The access log'), ...problems(400, 404) },
});

export function accessLogRoutes() {
  return newRouter()
    .openapi(myAccessLogRoute, async (c) =>
      c.json(await myAccessLog(c.get('deps'), ctxOf(c), c.req.valid('query')), 200),
    )
    .openapi(citizenAccessLogRoute, async (c) =>
      c.json(
        await citizenAccessLog(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('query')),
        200,
      ),
    );
}
