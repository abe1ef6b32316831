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
import { citizenSchema, readCitizen, registerCitizen, registerCitizenSchema, searchCitizens } from './citizens.ts';

const Citizen = citizenSchema.openapi('Citizen');
const careRoles = requireRole('assessor', 'staff', 'lead');

const registerRoute = createRoute({
  method: 'post',
  path: '/citizens',
  operationId: 'registerCitizen',
  tags: ['citizens'],
  summary: 'Register a citizen in the caller’s team',
  description:
    'The national id (Danish CPR, `DDMMYY-SSSS` or 10 digits) is checked for shape, stored only as a peppered hash and shown back masked. A second registration of the same national id is a 409 (`reason: national-id-registered`).',
  security: bearer,
  middleware: [careRoles] as const,
  'x-roles': ['assessor', 'staff', 'lead'],
  request: { body: jsonBody(registerCitizenSchema.openapi('RegisterCitizen')) },
  responses: { 201: jsonContent(Citizen, 'The registered citizen'), ...problems(400, 409, 415) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}',
  operationId: 'getCitizen',
  tags: ['citizens'],
  summary: 'One citizen of the caller’s team',
  security: bearer,
  middleware: [careRoles] as const,
  'x-roles': ['assessor', 'staff', 'lead'],
  request: { params: z.object({ citizenId: idParam('cit') }) },
  responses: { 200: jsonContent(Citizen, 'The citizen'), ...problems(400, 404) },
});

const SearchQuery = PaginationQuery.extend({
  nationalId: z
    .string()
    .max(20)
    .optional()
    .openapi({ description: 'Exact national id (CPR); finds at most one citizen' }),
  name: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'Prefix of "family given", case and diacritics ignored (e.g. `sorensen a`)' }),
});

const searchRoute = createRoute({
  method: 'get',
  path: '/citizens',
  operationId: 'searchCitizens',
  tags: ['citizens'],
  summary: 'Find citizens of the caller’s team by national id or name prefix; without either, all of them by name',
  description: 'Ordered by family name, then given name. Every citizen returned is recorded in the audit log as read.',
  security: bearer,
  middleware: [careRoles] as const,
  'x-roles': ['assessor', 'staff', 'lead'],
  request: { query: SearchQuery },
  responses: { 200: jsonContent(pageOf(Citizen, 'CitizenPage'), 'Matching citizens'), ...problems(400) },
});

export function citizenRoutes() {
  return newRouter()
    .openapi(registerRoute, async (c) =>
      c.json(await registerCitizen(c.get('deps'), requestContext(c), c.req.valid('json')), 201),
    )
    .openapi(getRoute, async (c) =>
      c.json(await readCitizen(c.get('deps'), requestContext(c), c.req.valid('param').citizenId), 200),
    )
    .openapi(searchRoute, async (c) =>
      c.json(await searchCitizens(c.get('deps'), requestContext(c), c.req.valid('query')), 200),
    );
}
