import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
import { bearer, jsonContent, problems, requireRole } from '#shared/http/openapi.ts';
import { staffIdSchema } from './availability.ts';
import { freeSlotsQuery, freeSlotsSchema, staffFreeSlots, teamFreeSlots, teamFreeSlotsQuery } from './free-time.ts';

const teamSchema = z
  .string()
  .max(40)
  .regex(/^[a-z0-9-]{1,40}$/, 'must be a team id (a-z, 0-9, -; at most 40)')
  .openapi({ example: 'east' });

const staffFreeSlotsRoute = createRoute({
  method: 'get',
  path: '/staff/{staffId}/free-slots',
  operationId: 'listStaffFreeSlots',
  tags: ['visits'],
  summary: 'A staff member’s free slots on a date or in a week (advice for booking)',
  description:
    'Roles: staff, lead (same team; another team’s staff member is 404). Free time is the availability rules minus booked visits (and the citizen’s, with `citizenId`), each widened by the team’s buffer between visits. Advice only: a booking of a slot can still answer 409, the booking decides.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: z.object({ staffId: staffIdSchema }), query: freeSlotsQuery },
  responses: { 200: jsonContent(freeSlotsSchema, 'Free slots by start'), ...problems(400, 404) },
});

const teamFreeSlotsRoute = createRoute({
  method: 'get',
  path: '/teams/{team}/free-slots',
  operationId: 'listTeamFreeSlots',
  tags: ['visits'],
  summary: 'Free slots of every staff member of the team while the citizen is free (advice for booking)',
  description:
    'Roles: staff, lead of the team (another team is 404). The same rules as a staff member’s free slots, over the whole team, kept clear of the citizen’s booked visits. Advice only: the booking decides.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: z.object({ team: teamSchema }), query: teamFreeSlotsQuery },
  responses: { 200: jsonContent(freeSlotsSchema, 'Free slots by start, then staff id'), ...problems(400, 404) },
});

export function freeTimeRoutes() {
  return newRouter()
    .openapi(staffFreeSlotsRoute, async (c) =>
      c.json(await staffFreeSlots(c.get('deps'), ctxOf(c), c.req.valid('param').staffId, c.req.valid('query')), 200),
    )
    .openapi(teamFreeSlotsRoute, async (c) =>
      c.json(await teamFreeSlots(c.get('deps'), ctxOf(c), c.req.valid('param').team, c.req.valid('query')), 200),
    );
}
