import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { newRouter } from '#shared/http/app.ts';
import { requestContext as ctxOf, type AppEnv } from '#shared/http/env.ts';
import { UnauthenticatedError } from '#shared/platform/errors.ts';
import { actorFromCalendarFeedKey, issueCalendarFeedKey } from './calendar-feed.ts';
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
import { availabilityInputSchema } from './availability-rules.ts';
import { readAvailability, setAvailability, staffAvailabilitySchema, staffIdSchema } from './availability.ts';
import { staffCalendar } from './calendar.ts';
import { citizenVisitSchema, visitSchema } from './model.ts';
import {
  addGuest,
  addGuestSchema,
  completeVisit,
  completeVisitSchema,
  guestConsentSchema,
  guestViewSchema,
  joinGuest,
  joinInfoSchema,
  joinVisit,
  recordGuestConsent,
  startVisit,
} from './video.ts';
import { nextVisitForTablet, tabletHomeSchema } from './tablet-home.ts';
import {
  bookVisit,
  bookVisitSchema,
  changeVisit,
  changeVisitSchema,
  listMyVisits,
  listVisits,
  listVisitsQuery,
  readVisit,
} from './visits.ts';

/** Links that leave the API (calendar programs) are absolute: the configured origin, else the request's. */
const publicBaseUrl = (c: Context<AppEnv>) => c.get('deps').config.PUBLIC_BASE_URL ?? new URL(c.req.url).origin;

const StaffParams = z.object({ staffId: staffIdSchema });
const VisitParams = z.object({ visitId: idParam('vis') });

const putAvailability = createRoute({
  method: 'put',
  path: '/staff/{staffId}/availability',
  operationId: 'setAvailability',
  tags: ['visits'],
  summary: 'Set a staff member’s weekly availability and dated exceptions (wall-clock, municipality time zone)',
  description:
    'Staff set their own (token sub = staffId); a lead sets anyone’s in the team. Windows never cross midnight (`24:00` ends a day); windows that touch join up. `time-off` removes time on a date (whole day without start/end), `extra-shift` adds time.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: StaffParams, body: jsonBody(availabilityInputSchema) },
  responses: { 200: jsonContent(staffAvailabilitySchema, 'The availability as stored'), ...problems(400, 404, 409) },
});

const getAvailability = createRoute({
  method: 'get',
  path: '/staff/{staffId}/availability',
  operationId: 'getAvailability',
  tags: ['visits'],
  summary: 'A staff member’s availability',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: StaffParams },
  responses: { 200: jsonContent(staffAvailabilitySchema, 'The availability'), ...problems(404) },
});

/** Lets a calendar program in with the feed key when it sends no bearer token. */
const calendarFeedAccess = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.query('key');
  if (c.get('actor') === undefined) {
    if (!key) throw new UnauthenticatedError('Send a bearer token, or subscribe with the feed key (?key=).');
    const staffId = c.req.param('staffId') ?? '';
    c.set('actor', await actorFromCalendarFeedKey(c.get('deps'), staffId, key));
  }
  await next();
});

const calendarRoute = createRoute({
  method: 'get',
  path: '/staff/{staffId}/calendar.ics',
  operationId: 'getStaffCalendar',
  tags: ['visits'],
  summary: 'A staff member’s visits as an iCalendar (RFC 5545) feed',
  description:
    'With a bearer token, or — for calendar programs that subscribe to a URL — with the feed key from POST /staff/{staffId}/calendar-feed as `?key=`.',
  security: [...bearer, { calendarFeedKey: [] }],
  middleware: [calendarFeedAccess, requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: {
    params: StaffParams,
    query: z.strictObject({
      key: z
        .string()
        .max(43, 'must be a feed key')
        .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a feed key')
        .optional(),
    }),
  },
  responses: {
    // At most 2 000 events (calendar.ts) of well under 1 000 characters each.
    200: {
      description: 'iCalendar feed: the last 30 days and everything ahead',
      content: { 'text/calendar': { schema: z.string().max(2_000_000) } },
    },
    ...problems(404),
  },
});

const calendarFeedRoute = createRoute({
  method: 'post',
  path: '/staff/{staffId}/calendar-feed',
  operationId: 'issueCalendarFeedKey',
  tags: ['visits'],
  summary: 'Issue a secret calendar feed key (revokes the previous one); shown once',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: StaffParams },
  responses: {
    201: jsonContent(
      z
        .object({
          key: z.string(),
          path: z.string(),
          url: z.string().openapi({
            description: 'The absolute URL to subscribe to (PUBLIC_BASE_URL, else the origin this request came in on)',
          }),
          issuedAt: z.string(),
        })
        .openapi('CalendarFeedKey'),
      'The key and the path to subscribe to',
    ),
    ...problems(404),
  },
});

const bookRoute = createRoute({
  method: 'post',
  path: '/visits',
  operationId: 'bookVisit',
  tags: ['visits'],
  summary: 'Book a screen visit',
  description:
    'Visits are on a 5-minute grid, 5–120 minutes long. 409 when the staff member is not available for the whole visit (`staff-unavailable`), is already booked then (`staff-double-booked`), or the citizen has an overlapping visit (`citizen-double-booked`). Staff book for themselves; a lead for anyone in the team.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { body: jsonBody(bookVisitSchema) },
  responses: { 201: jsonContent(visitSchema, 'The booked visit'), ...problems(400, 404, 409, 502) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/visits',
  operationId: 'listVisits',
  tags: ['visits'],
  summary: 'Visits by staff member, by citizen, unassigned, or the whole team, in a period',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { query: listVisitsQuery },
  responses: { 200: jsonContent(pageOf(visitSchema, 'VisitPage'), 'Visits by start'), ...problems(400, 404) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/visits/{visitId}',
  operationId: 'getVisit',
  tags: ['visits'],
  summary: 'One visit',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: VisitParams },
  responses: { 200: jsonContent(visitSchema, 'The visit'), ...problems(400, 404) },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/visits/{visitId}',
  operationId: 'changeVisit',
  tags: ['visits'],
  summary: 'Reschedule, reassign or cancel a scheduled visit',
  description:
    'Same double-booking guarantee as booking. A lead changes any visit of the team; staff their own, or take an unassigned one (staffId = themselves).',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: VisitParams, body: jsonBody(changeVisitSchema) },
  responses: { 200: jsonContent(visitSchema, 'The changed visit'), ...problems(400, 404, 409) },
});

const startRoute = createRoute({
  method: 'post',
  path: '/visits/{visitId}/start',
  operationId: 'startVisit',
  tags: ['visits'],
  summary: 'Open the video session (assigned staff member); again to rejoin',
  description:
    'Creates the Chime meeting idempotently and the staff member’s attendee. 502/503 when the video service fails; nothing is written then and the visit stays startable.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: VisitParams },
  responses: {
    200: jsonContent(
      z.object({ visit: visitSchema, join: joinInfoSchema }).openapi('StartedVisit'),
      'The visit and the staff member’s join data',
    ),
    ...problems(400, 404, 409, 502, 503),
  },
});

const joinRoute = createRoute({
  method: 'post',
  path: '/visits/{visitId}/join',
  operationId: 'joinVisit',
  tags: ['visits'],
  summary: 'The citizen’s tablet joins its visit (from VISIT_JOIN_EARLY_MINUTES before start to the end)',
  security: bearer,
  middleware: [requireRole('citizen')] as const,
  'x-roles': ['citizen'],
  request: { params: VisitParams },
  responses: { 200: jsonContent(joinInfoSchema, 'The citizen’s join data'), ...problems(400, 404, 409, 502, 503) },
});

const guestRoute = createRoute({
  method: 'post',
  path: '/visits/{visitId}/guests',
  operationId: 'addVisitGuest',
  tags: ['visits'],
  summary:
    'Ask to add a relative or another professional to a visit in progress; the citizen consents on the tablet first',
  description:
    'Roles: staff, lead (the assigned staff member). The guest waits for consent; their join data comes from POST /visits/{visitId}/guests/{guestId}/join once the citizen consented.',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: VisitParams, body: jsonBody(addGuestSchema) },
  responses: { 201: jsonContent(guestViewSchema, 'The guest, waiting for consent'), ...problems(400, 404, 409) },
});

const GuestParams = z.object({ visitId: idParam('vis'), guestId: idParam('gst') });

const consentRoute = createRoute({
  method: 'post',
  path: '/visits/{visitId}/guests/{guestId}/consent',
  operationId: 'recordGuestConsent',
  tags: ['visits'],
  summary: 'The citizen consents (or not) to a guest joining the visit; recorded with the visit',
  description: 'Roles: citizen (the visit’s own citizen, from the paired tablet); anyone else’s visit is 404.',
  'x-roles': ['citizen'],
  security: bearer,
  middleware: [requireRole('citizen')] as const,
  request: { params: GuestParams, body: jsonBody(guestConsentSchema) },
  responses: { 200: jsonContent(guestViewSchema, 'The guest with the recorded consent'), ...problems(400, 404, 409) },
});

const guestJoinRoute = createRoute({
  method: 'post',
  path: '/visits/{visitId}/guests/{guestId}/join',
  operationId: 'joinVisitGuest',
  tags: ['visits'],
  summary: 'The guest’s join data, once the citizen consented',
  description:
    'Roles: staff, lead (the assigned staff member), to pass on to the guest. 409 `consent-missing` or `consent-refused` without the citizen’s consent.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: GuestParams },
  responses: {
    200: jsonContent(
      joinInfoSchema.extend({ guestId: z.string(), kind: z.string() }).openapi('GuestJoinInfo'),
      'The guest’s join data, to pass on to them',
    ),
    ...problems(400, 404, 409, 502, 503),
  },
});

const nextVisitRoute = createRoute({
  method: 'get',
  path: '/me/next-visit',
  operationId: 'getTabletHome',
  tags: ['visits'],
  summary: 'What the citizen’s tablet shows: the next visit, whether it can be joined now, guests waiting for consent',
  description:
    'Roles: citizen (a paired tablet). `phase` is worked out with the server’s clock: `before` the join window, `open` inside it, `ended` just after a visit, `none` when nothing is planned.',
  'x-roles': ['citizen'],
  security: bearer,
  middleware: [requireRole('citizen')] as const,
  responses: { 200: jsonContent(tabletHomeSchema, 'The tablet’s home screen'), ...problems() },
});

const completeRoute = createRoute({
  method: 'post',
  path: '/visits/{visitId}/complete',
  operationId: 'completeVisit',
  tags: ['visits'],
  summary: 'Record the outcome and close the video session',
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  'x-roles': ['staff', 'lead'],
  request: { params: VisitParams, body: jsonBody(completeVisitSchema) },
  responses: { 200: jsonContent(visitSchema, 'The completed visit'), ...problems(400, 404, 409) },
});

const meRoute = createRoute({
  method: 'get',
  path: '/me/visits',
  operationId: 'listMyVisits',
  tags: ['visits'],
  summary: 'The citizen’s own visits that have not ended',
  security: bearer,
  middleware: [requireRole('citizen')] as const,
  'x-roles': ['citizen'],
  request: { query: PaginationQuery },
  responses: { 200: jsonContent(pageOf(citizenVisitSchema, 'CitizenVisitPage'), 'Upcoming visits'), ...problems(400) },
});

export function visitRoutes() {
  return newRouter()
    .openapi(putAvailability, async (c) =>
      c.json(await setAvailability(c.get('deps'), ctxOf(c), c.req.valid('param').staffId, c.req.valid('json')), 200),
    )
    .openapi(getAvailability, async (c) =>
      c.json(await readAvailability(c.get('deps'), ctxOf(c), c.req.valid('param').staffId), 200),
    )
    .openapi(calendarRoute, async (c) => {
      const body = await staffCalendar(c.get('deps'), ctxOf(c), c.req.valid('param').staffId, publicBaseUrl(c));
      return c.body(body, 200, {
        'content-type': 'text/calendar; charset=utf-8',
        'cache-control': 'private, max-age=300',
      });
    })
    .openapi(calendarFeedRoute, async (c) => {
      const issued = await issueCalendarFeedKey(c.get('deps'), ctxOf(c), c.req.valid('param').staffId);
      return c.json({ ...issued, url: new URL(issued.path, publicBaseUrl(c)).href }, 201);
    })
    .openapi(bookRoute, async (c) => c.json(await bookVisit(c.get('deps'), ctxOf(c), c.req.valid('json')), 201))
    .openapi(listRoute, async (c) => c.json(await listVisits(c.get('deps'), ctxOf(c), c.req.valid('query')), 200))
    .openapi(getRoute, async (c) => c.json(await readVisit(c.get('deps'), ctxOf(c), c.req.valid('param').visitId), 200))
    .openapi(patchRoute, async (c) =>
      c.json(await changeVisit(c.get('deps'), ctxOf(c), c.req.valid('param').visitId, c.req.valid('json')), 200),
    )
    .openapi(startRoute, async (c) =>
      c.json(await startVisit(c.get('deps'), ctxOf(c), c.req.valid('param').visitId), 200),
    )
    .openapi(joinRoute, async (c) =>
      c.json(await joinVisit(c.get('deps'), ctxOf(c), c.req.valid('param').visitId), 200),
    )
    .openapi(guestRoute, async (c) =>
      c.json(await addGuest(c.get('deps'), ctxOf(c), c.req.valid('param').visitId, c.req.valid('json')), 201),
    )
    .openapi(completeRoute, async (c) =>
      c.json(await completeVisit(c.get('deps'), ctxOf(c), c.req.valid('param').visitId, c.req.valid('json')), 200),
    )
    .openapi(meRoute, async (c) => c.json(await listMyVisits(c.get('deps'), ctxOf(c), c.req.valid('query')), 200))
    .openapi(consentRoute, async (c) => {
      const { visitId, guestId } = c.req.valid('param');
      return c.json(await recordGuestConsent(c.get('deps'), ctxOf(c), visitId, guestId, c.req.valid('json')), 200);
    })
    .openapi(guestJoinRoute, async (c) => {
      const { visitId, guestId } = c.req.valid('param');
      return c.json(await joinGuest(c.get('deps'), ctxOf(c), visitId, guestId), 200);
    })
    .openapi(nextVisitRoute, async (c) => c.json(await nextVisitForTablet(c.get('deps'), ctxOf(c)), 200));
}
