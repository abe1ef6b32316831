import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
import { bearer, jsonBody, jsonContent, pageOf, PaginationQuery, problems, requireRole } from '#shared/http/openapi.ts';
import { listStaff, registerStaff, registerStaffSchema, staffMemberSchema, teamIdSchema } from './staff-directory.ts';

const TeamParams = z.object({ team: teamIdSchema });

const registerStaffRoute = createRoute({
  method: 'post',
  path: '/teams/{team}/staff',
  operationId: 'registerStaff',
  tags: ['visits'],
  summary: 'Register a staff member in the team’s directory (before anyone schedules them)',
  description:
    'Roles: lead, admin — of this team only (another team is 404). A staff member may also register themselves by setting their own availability: the team is then the one their own token names. 409 `staff-registered` when the staff id is registered already.',
  'x-roles': ['lead', 'admin'],
  security: bearer,
  middleware: [requireRole('lead', 'admin')] as const,
  request: { params: TeamParams, body: jsonBody(registerStaffSchema) },
  responses: { 201: jsonContent(staffMemberSchema, 'The staff member as registered'), ...problems(400, 404, 409) },
});

const listStaffRoute = createRoute({
  method: 'get',
  path: '/teams/{team}/staff',
  operationId: 'listStaff',
  tags: ['visits'],
  summary: 'The team’s staff directory',
  description: 'Roles: lead, admin — of this team only (another team is 404).',
  'x-roles': ['lead', 'admin'],
  security: bearer,
  middleware: [requireRole('lead', 'admin')] as const,
  request: { params: TeamParams, query: PaginationQuery },
  responses: {
    200: jsonContent(pageOf(staffMemberSchema, 'StaffMemberPage'), 'Staff members by id'),
    ...problems(400, 404),
  },
});

export function staffRoutes() {
  return newRouter()
    .openapi(registerStaffRoute, async (c) =>
      c.json(await registerStaff(c.get('deps'), ctxOf(c), c.req.valid('param').team, c.req.valid('json')), 201),
    )
    .openapi(listStaffRoute, async (c) =>
      c.json(await listStaff(c.get('deps'), ctxOf(c), c.req.valid('param').team, c.req.valid('query')), 200),
    );
}
