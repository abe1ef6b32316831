import { createRoute, z } from '@hono/zod-openapi';
import { newRouter } from '../http/app.ts';
import { bearer, jsonContent, pageOf, PaginationQuery, problems, requireRole } from '../http/openapi.ts';
import { auditLog, auditRecordSchema, listAudit } from './audit.ts';
import { isoDateTime } from '../platform/time-input.ts';

const AuditQuery = PaginationQuery.extend({
  citizenId: z.string().max(30).regex(/^cit_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id of the form cit_<ULID>').optional(),
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
  security: bearer,
  middleware: [requireRole('admin')] as const,
  'x-roles': ['admin'],
  request: { query: AuditQuery },
  responses: { 200: jsonContent(pageOf(auditRecordSchema.openapi('AuditRecord'), 'AuditPage'), 'Audit records'), ...problems(400) },
});

export function auditRoutes() {
  return newRouter().openapi(listAuditRoute, async (c) => {
    const query = c.req.valid('query');
    const toIso = (s: string | undefined) => (s ? new Date(s).toISOString() : undefined);
    const page = await listAudit(c.get('deps').table, { ...query, from: toIso(query.from), to: toIso(query.to) });
    return c.json(page, 200);
  });
}

export { auditLog };
