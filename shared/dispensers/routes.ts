import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import type { Router } from '#shared/http/env.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
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
import { citizenAdherence } from './adherence.ts';
import { getDosePlan, setDosePlan } from './dose-plan.ts';
import { decideTrial, trialDecisionResultSchema, trialDecisionSchema } from './trial.ts';
import {
  adherenceQuerySchema,
  adherenceSchema,
  assignDispenserSchema,
  changeStatusSchema,
  dispenserPeriodSchema,
  dispenserSchema,
  dispenserStatuses,
  dosePlanInputSchema,
  dosePlanSchema,
  issuedCredentialSchema,
  registerDispenserSchema,
  takeBackQuerySchema,
} from './model.ts';
import {
  assignDispenser,
  changeDispenserStatus,
  citizenDispenserHistory,
  dispenserHistory,
  getDispenser,
  listDispensers,
  registerDispenser,
  reissueCredential,
  takeBackDispenser,
} from './registry.ts';

/** Staff and lead routes of the dispenser capability (the device's own route is in device-ingest-routes.ts). */
const DispenserParams = z.object({ dispenserId: idParam('dsp') });
const CitizenParams = z.object({ citizenId: idParam('cit') });
const tags = ['dispensers'];

const registerRoute = createRoute({
  method: 'post',
  path: '/dispensers',
  operationId: 'registerDispenser',
  tags,
  summary: 'Register a dispenser (in stock); the device credential is in this response only',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { body: jsonBody(registerDispenserSchema) },
  responses: {
    201: jsonContent(
      z
        .object({
          dispenser: dispenserSchema,
          credential: z.string().openapi({ description: 'Shown once; store it in the device' }),
        })
        .openapi('RegisteredDispenser'),
      'Registered',
    ),
    ...problems(400, 409),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/dispensers',
  operationId: 'listDispensers',
  tags,
  summary: 'The team’s dispensers, in registration order',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { query: PaginationQuery.extend({ status: z.enum(dispenserStatuses).optional() }) },
  responses: { 200: jsonContent(pageOf(dispenserSchema, 'DispenserPage'), 'Dispensers'), ...problems(400) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/dispensers/{dispenserId}',
  operationId: 'getDispenser',
  tags,
  summary: 'One dispenser (never its credential)',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams },
  responses: { 200: jsonContent(dispenserSchema, 'The dispenser'), ...problems(400, 404) },
});

const statusRoute = createRoute({
  method: 'patch',
  path: '/dispensers/{dispenserId}',
  operationId: 'changeDispenserStatus',
  tags,
  summary: 'Put a dispenser no citizen has back in stock, or return it to the vendor',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams, body: jsonBody(changeStatusSchema) },
  responses: { 200: jsonContent(dispenserSchema, 'The dispenser'), ...problems(400, 404, 409) },
});

const credentialRoute = createRoute({
  method: 'post',
  path: '/dispensers/{dispenserId}/credential',
  operationId: 'reissueDispenserCredential',
  tags,
  summary: 'Issue a new device credential; the old one stops working',
  description:
    'The old credential is refused from now on. A device-events container that checked it in the last `DEVICE_CACHE_SECONDS` (30 s by default) may still answer its posts 202 until then; such events are refused when they are derived and never count (docs/events.md).',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams },
  responses: { 201: jsonContent(issuedCredentialSchema, 'The new credential, shown once'), ...problems(400, 404, 409) },
});

const assignRoute = createRoute({
  method: 'put',
  path: '/dispensers/{dispenserId}/assignment',
  operationId: 'assignDispenser',
  tags,
  summary: 'Give the dispenser to a citizen (trial or active), or change the status for the citizen who has it',
  description:
    'One citizen per dispenser and one dispenser per citizen: otherwise 409. Assigning again with `active` decides a trial.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams, body: jsonBody(assignDispenserSchema) },
  responses: { 200: jsonContent(dispenserSchema, 'The dispenser with its citizen'), ...problems(400, 404, 409) },
});

const takeBackRoute = createRoute({
  method: 'delete',
  path: '/dispensers/{dispenserId}/assignment',
  operationId: 'takeBackDispenser',
  tags,
  summary: 'Take the dispenser back from its citizen (the history keeps the period)',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams, query: takeBackQuerySchema },
  responses: {
    200: jsonContent(dispenserSchema, 'The dispenser, back in stock or returned'),
    ...problems(400, 404, 409),
  },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/dispensers/{dispenserId}/assignments',
  operationId: 'listDispenserAssignments',
  tags,
  summary: 'The dispenser’s assignment history: who had it, in which status, from when to when (newest first)',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams, query: PaginationQuery },
  responses: {
    200: jsonContent(pageOf(dispenserPeriodSchema, 'DispenserPeriodPage'), 'Periods'),
    ...problems(400, 404),
  },
});

const citizenHistoryRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/dispensers',
  operationId: 'listCitizenDispensers',
  tags,
  summary: 'Which dispensers the citizen had, in which status, from when to when (newest first)',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParams, query: PaginationQuery },
  responses: {
    200: jsonContent(pageOf(dispenserPeriodSchema, 'CitizenDispenserPeriodPage'), 'Periods'),
    ...problems(400, 404),
  },
});

const putPlanRoute = createRoute({
  method: 'put',
  path: '/citizens/{citizenId}/dose-plan',
  operationId: 'setDosePlan',
  tags,
  summary:
    'Set the citizen’s dose times (wall clock in the municipality’s time zone); past doses keep the plan they had',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParams, body: jsonBody(dosePlanInputSchema) },
  responses: { 200: jsonContent(dosePlanSchema, 'The plan'), ...problems(400, 404, 409) },
});

const getPlanRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/dose-plan',
  operationId: 'getDosePlan',
  tags,
  summary: 'The citizen’s current dose plan',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParams },
  responses: { 200: jsonContent(dosePlanSchema, 'The plan'), ...problems(400, 404) },
});

const adherenceRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/adherence',
  operationId: 'getAdherence',
  tags,
  summary: 'Each planned dose in the period with its outcome, and the rates',
  description:
    'Outcomes: taken_on_time (first dose_taken within the plan’s tolerance), taken_late, missed (the dispenser said so, or was heard from but no take by the deadline), no_data (the dispenser was silent around the dose), pending (deadline not reached; not in the rates), paused (inside an alert pause of the citizen: not missed, not in the rates).',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: CitizenParams, query: adherenceQuerySchema },
  responses: { 200: jsonContent(adherenceSchema, 'Adherence'), ...problems(400, 404) },
});

const trialDecisionRoute = createRoute({
  method: 'post',
  path: '/dispensers/{dispenserId}/trial-decision',
  operationId: 'decideDispenserTrial',
  tags,
  summary:
    'Decide a dispenser trial: keep (the approved line stays, the dispenser becomes active) or return (the line reverts to physical delivery, with a reason code)',
  description:
    'Roles: staff, lead. Reason codes: cannot_handle_device, dose_plan_unsuitable, citizen_declined, other (with reasonText). 409 not-on-trial; 409 medication-line-not-approved for keep before the conversion is approved.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: DispenserParams, body: jsonBody(trialDecisionSchema) },
  responses: {
    200: jsonContent(trialDecisionResultSchema, 'The decision and what it changed'),
    ...problems(400, 404, 409),
  },
});

/** The registry: register, list, read, status, credential, assignment, history. */
function registryRoutes(router: Router) {
  return router
    .openapi(registerRoute, async (c) =>
      c.json(await registerDispenser(c.get('deps'), ctxOf(c), c.req.valid('json')), 201),
    )
    .openapi(listRoute, async (c) => c.json(await listDispensers(c.get('deps'), ctxOf(c), c.req.valid('query')), 200))
    .openapi(getRoute, async (c) =>
      c.json(await getDispenser(c.get('deps'), ctxOf(c), c.req.valid('param').dispenserId), 200),
    )
    .openapi(statusRoute, async (c) =>
      c.json(
        await changeDispenserStatus(
          c.get('deps'),
          ctxOf(c),
          c.req.valid('param').dispenserId,
          c.req.valid('json').status,
        ),
        200,
      ),
    )
    .openapi(credentialRoute, async (c) =>
      c.json(await reissueCredential(c.get('deps'), ctxOf(c), c.req.valid('param').dispenserId), 201),
    )
    .openapi(assignRoute, async (c) =>
      c.json(
        await assignDispenser(c.get('deps'), ctxOf(c), c.req.valid('param').dispenserId, c.req.valid('json')),
        200,
      ),
    )
    .openapi(takeBackRoute, async (c) =>
      c.json(
        await takeBackDispenser(c.get('deps'), ctxOf(c), c.req.valid('param').dispenserId, c.req.valid('query').then),
        200,
      ),
    )
    .openapi(historyRoute, async (c) =>
      c.json(
        await dispenserHistory(c.get('deps'), ctxOf(c), c.req.valid('param').dispenserId, c.req.valid('query')),
        200,
      ),
    );
}

/** Per citizen: dispenser history, dose plan, adherence; and the trial decision. */
function citizenRoutes(router: Router) {
  return router
    .openapi(citizenHistoryRoute, async (c) =>
      c.json(
        await citizenDispenserHistory(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('query')),
        200,
      ),
    )
    .openapi(putPlanRoute, async (c) =>
      c.json(await setDosePlan(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('json')), 200),
    )
    .openapi(getPlanRoute, async (c) =>
      c.json(await getDosePlan(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId), 200),
    )
    .openapi(adherenceRoute, async (c) =>
      c.json(
        await citizenAdherence(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('query')),
        200,
      ),
    )
    .openapi(trialDecisionRoute, async (c) =>
      c.json(await decideTrial(c.get('deps'), ctxOf(c), c.req.valid('param').dispenserId, c.req.valid('json')), 200),
    );
}

export function dispenserRoutes(): Router {
  return citizenRoutes(registryRoutes(newRouter()));
}
