import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { alertSchema } from '#shared/alerts/alerts.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
import { bearer, idParam, jsonBody, jsonContent, problems, requireRole } from '#shared/http/openapi.ts';
import { UpstreamError } from '#shared/platform/errors.ts';
import { staffIdSchema } from '#shared/visits/availability.ts';
import {
  ackLinkBodySchema,
  acknowledgeFromLink,
  deliveryAttemptSchema,
  readAlertWithDeliveries,
} from './escalation.ts';
import {
  addAlertPause,
  alertPauseInputSchema,
  alertPauseSchema,
  alertSettingsInputSchema,
  alertSettingsSchema,
  readAlertSettings,
  setAlertSettings,
} from './alert-settings.ts';
import {
  addPushSubscription,
  contactInputSchema,
  contactSchema,
  deleteOwnPushSubscription,
  escalationInputSchema,
  escalationSchema,
  listPushSubscriptions,
  onDutySchema,
  pushSubscriptionInputSchema,
  pushSubscriptionSchema,
  readContact,
  readEscalation,
  readOnDuty,
  readRoster,
  relativeContactInputSchema,
  rosterInputSchema,
  rosterSchema,
  setContact,
  setEscalation,
  setRelativeContact,
  setRoster,
  teamParam,
} from './settings.ts';

const TeamParams = z.object({ team: teamParam });
const CitizenParams = z.object({ citizenId: idParam('cit') });
const AlertParams = z.object({ alertId: idParam('alr') });
const careRoles = ['staff', 'lead', 'support'] as const;

const getRosterRoute = createRoute({
  method: 'get',
  path: '/teams/{team}/duty-roster',
  operationId: 'getDutyRoster',
  tags: ['notifications'],
  summary: 'The team’s duty roster: who answers clinical and technical alerts when',
  description: 'Roles: staff, lead, support of the team (another team is 404).',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: TeamParams },
  responses: { 200: jsonContent(rosterSchema, 'The roster'), ...problems(400, 404) },
});

const putRosterRoute = createRoute({
  method: 'put',
  path: '/teams/{team}/duty-roster',
  operationId: 'setDutyRoster',
  tags: ['notifications'],
  summary: 'Replace the team’s duty roster (weekly windows and dated exceptions per person and duty, as availability)',
  description: 'Role: lead of the team.',
  'x-roles': ['lead'],
  security: bearer,
  middleware: [requireRole('lead')] as const,
  request: { params: TeamParams, body: jsonBody(rosterInputSchema) },
  responses: { 200: jsonContent(rosterSchema, 'The roster as stored'), ...problems(400, 404) },
});

const onDutyRoute = createRoute({
  method: 'get',
  path: '/teams/{team}/on-duty',
  operationId: 'getOnDuty',
  tags: ['notifications'],
  summary: 'Who is on duty now (on duty, second, support) and who the leads are',
  description: 'Roles: staff, lead, support of the team.',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: TeamParams },
  responses: { 200: jsonContent(onDutySchema, 'On duty now'), ...problems(400, 404) },
});

const getEscalationRoute = createRoute({
  method: 'get',
  path: '/teams/{team}/escalation',
  operationId: 'getEscalationChain',
  tags: ['notifications'],
  summary: 'The team’s escalation chains (clinical, technical), leads and extra reminder lead times',
  description: 'Roles: staff, lead, support of the team. Defaults apply until a lead sets them.',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: TeamParams },
  responses: { 200: jsonContent(escalationSchema, 'The chain'), ...problems(400, 404) },
});

const putEscalationRoute = createRoute({
  method: 'put',
  path: '/teams/{team}/escalation',
  operationId: 'setEscalationChain',
  tags: ['notifications'],
  summary: 'Set the team’s escalation chains: each step a target, its channels and its timeout',
  description: 'Role: lead of the team.',
  'x-roles': ['lead'],
  security: bearer,
  middleware: [requireRole('lead')] as const,
  request: { params: TeamParams, body: jsonBody(escalationInputSchema) },
  responses: { 200: jsonContent(escalationSchema, 'The chain as stored'), ...problems(400, 404) },
});

const ContactParams = z.object({ team: teamParam, staffId: staffIdSchema });
const getContactRoute = createRoute({
  method: 'get',
  path: '/teams/{team}/contacts/{staffId}',
  operationId: 'getStaffContact',
  tags: ['notifications'],
  summary: 'A staff member’s contact points for paging (phone, SMS consent, display name)',
  description: 'Roles: the staff member themselves, or a lead of the team.',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: ContactParams },
  responses: { 200: jsonContent(contactSchema, 'Contact points'), ...problems(400, 404) },
});

const putContactRoute = createRoute({
  method: 'put',
  path: '/teams/{team}/contacts/{staffId}',
  operationId: 'setStaffContact',
  tags: ['notifications'],
  summary: 'Set a staff member’s contact points; SMS paging needs their recorded consent',
  description: 'Roles: the staff member themselves, or a lead of the team.',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: ContactParams, body: jsonBody(contactInputSchema) },
  responses: { 200: jsonContent(contactSchema, 'Contact points as stored'), ...problems(400, 404) },
});

const pushRoles = ['staff', 'lead', 'support', 'citizen'] as const;
const addPushRoute = createRoute({
  method: 'post',
  path: '/me/push-subscriptions',
  operationId: 'addPushSubscription',
  tags: ['notifications'],
  summary: 'Register this browser’s web-push subscription (console or tablet); the same endpoint again updates it',
  description: 'Roles: staff, lead, support, citizen (a tablet). The subscription belongs to the caller.',
  'x-roles': [...pushRoles],
  security: bearer,
  middleware: [requireRole(...pushRoles)] as const,
  request: { body: jsonBody(pushSubscriptionInputSchema) },
  responses: {
    201: jsonContent(pushSubscriptionSchema, 'Registered'),
    200: jsonContent(pushSubscriptionSchema, 'Already registered; updated'),
    ...problems(400),
  },
});

const listPushRoute = createRoute({
  method: 'get',
  path: '/me/push-subscriptions',
  operationId: 'listPushSubscriptions',
  tags: ['notifications'],
  summary: 'The caller’s push subscriptions (one per device)',
  description: 'Roles: staff, lead, support, citizen.',
  'x-roles': [...pushRoles],
  security: bearer,
  middleware: [requireRole(...pushRoles)] as const,
  responses: {
    200: jsonContent(
      z.object({ items: z.array(pushSubscriptionSchema) }).openapi('PushSubscriptionList'),
      'Subscriptions',
    ),
    ...problems(),
  },
});

const deletePushRoute = createRoute({
  method: 'delete',
  path: '/me/push-subscriptions/{subscriptionId}',
  operationId: 'deletePushSubscription',
  tags: ['notifications'],
  summary: 'Remove one of the caller’s push subscriptions (e.g. on sign-out)',
  description: 'Roles: staff, lead, support, citizen; someone else’s subscription is 404.',
  'x-roles': [...pushRoles],
  security: bearer,
  middleware: [requireRole(...pushRoles)] as const,
  request: { params: z.object({ subscriptionId: idParam('psh') }) },
  responses: { 204: { description: 'Removed' }, ...problems(400, 404) },
});

const vapidRoute = createRoute({
  method: 'get',
  path: '/notifications/vapid-public-key',
  operationId: 'getVapidPublicKey',
  tags: ['notifications'],
  summary: 'The VAPID public key to pass as applicationServerKey to PushManager.subscribe',
  description: 'Roles: staff, lead, support, citizen.',
  'x-roles': [...pushRoles],
  security: bearer,
  middleware: [requireRole(...pushRoles)] as const,
  responses: {
    200: jsonContent(z.object({ publicKey: z.string() }).openapi('VapidPublicKey'), 'The key (base64url)'),
    ...problems(503),
  },
});

const alertWithDeliveries = alertSchema
  .extend({ deliveries: z.array(deliveryAttemptSchema) })
  .openapi('AlertWithDeliveries');
const getAlertRoute = createRoute({
  method: 'get',
  path: '/alerts/{alertId}',
  operationId: 'getAlert',
  tags: ['alerts'],
  summary: 'One alert with every delivery attempt of its escalation (channel, recipient, time, outcome)',
  description: 'Roles: staff, lead, support of the alert’s team.',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: AlertParams },
  responses: { 200: jsonContent(alertWithDeliveries, 'The alert'), ...problems(400, 404) },
});

const ackLinkRoute = createRoute({
  method: 'post',
  path: '/alerts/{alertId}/ack-link',
  operationId: 'acknowledgeAlertFromLink',
  tags: ['alerts'],
  summary: 'Acknowledge from the link in a push or SMS (signed, single use, expires)',
  description:
    'Roles: staff, lead, support of the alert’s team. The link opens the console at `/console/?ack=<token>#/alerts/{alertId}`, which posts the token.',
  'x-roles': [...careRoles],
  security: bearer,
  middleware: [requireRole(...careRoles)] as const,
  request: { params: AlertParams, body: jsonBody(ackLinkBodySchema) },
  responses: { 200: jsonContent(alertSchema, 'The acknowledged alert'), ...problems(400, 404, 409) },
});

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/alert-settings',
  operationId: 'getCitizenAlertSettings',
  tags: ['notifications'],
  summary: 'A citizen’s alert settings and pauses',
  description: 'Roles: staff, lead of the citizen’s team.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: CitizenParams },
  responses: { 200: jsonContent(alertSettingsSchema, 'Settings'), ...problems(400, 404) },
});

const putSettingsRoute = createRoute({
  method: 'put',
  path: '/citizens/{citizenId}/alert-settings',
  operationId: 'setCitizenAlertSettings',
  tags: ['notifications'],
  summary: 'Set a citizen’s missed-dose alert delay and the quiet period after a resolved device fault',
  description: 'Roles: staff, lead of the citizen’s team.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: CitizenParams, body: jsonBody(alertSettingsInputSchema) },
  responses: { 200: jsonContent(alertSettingsSchema, 'Settings as stored'), ...problems(400, 404) },
});

const addPauseRoute = createRoute({
  method: 'post',
  path: '/citizens/{citizenId}/alert-pauses',
  operationId: 'addCitizenAlertPause',
  tags: ['notifications'],
  summary:
    'Pause a citizen’s alerts (hospital, holiday): doses in the pause count as paused, not missed, and page nobody',
  description: 'Roles: staff, lead of the citizen’s team.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: CitizenParams, body: jsonBody(alertPauseInputSchema) },
  responses: { 201: jsonContent(alertPauseSchema, 'The pause'), ...problems(400, 404) },
});

const relativeRoute = createRoute({
  method: 'put',
  path: '/citizens/{citizenId}/relative-contact',
  operationId: 'setRelativeContact',
  tags: ['notifications'],
  summary: 'A relative’s phone for SMS, with the recorded consent and the alert kinds they hear about',
  description:
    'Roles: staff, lead of the citizen’s team. The SMS says only that the team was alerted, with a reference.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: CitizenParams, body: jsonBody(relativeContactInputSchema) },
  responses: {
    200: jsonContent(
      z
        .object({ ...relativeContactInputSchema.shape, consentRecordedAt: z.string(), consentRecordedBy: z.string() })
        .openapi('RelativeContact'),
      'As stored',
    ),
    ...problems(400, 404),
  },
});

export function notificationRoutes() {
  const router = newRouter()
    .openapi(getRosterRoute, async (c) =>
      c.json(await readRoster(c.get('deps'), ctxOf(c), c.req.valid('param').team), 200),
    )
    .openapi(putRosterRoute, async (c) =>
      c.json(await setRoster(c.get('deps'), ctxOf(c), c.req.valid('param').team, c.req.valid('json')), 200),
    )
    .openapi(onDutyRoute, async (c) =>
      c.json(await readOnDuty(c.get('deps'), ctxOf(c), c.req.valid('param').team), 200),
    )
    .openapi(getEscalationRoute, async (c) =>
      c.json(await readEscalation(c.get('deps'), ctxOf(c), c.req.valid('param').team), 200),
    )
    .openapi(putEscalationRoute, async (c) =>
      c.json(await setEscalation(c.get('deps'), ctxOf(c), c.req.valid('param').team, c.req.valid('json')), 200),
    )
    .openapi(getContactRoute, async (c) => {
      const { team, staffId } = c.req.valid('param');
      return c.json(await readContact(c.get('deps'), ctxOf(c), team, staffId), 200);
    })
    .openapi(putContactRoute, async (c) => {
      const { team, staffId } = c.req.valid('param');
      return c.json(await setContact(c.get('deps'), ctxOf(c), team, staffId, c.req.valid('json')), 200);
    });
  return withPersonalRoutes(router);
}

/** Push subscriptions, the alert with its deliveries and the ack link, per-citizen settings. */
function withPersonalRoutes(router: ReturnType<typeof newRouter>) {
  return router
    .openapi(addPushRoute, async (c) => {
      const { created, subscription } = await addPushSubscription(c.get('deps'), ctxOf(c), c.req.valid('json'));
      return created ? c.json(subscription, 201) : c.json(subscription, 200);
    })
    .openapi(listPushRoute, async (c) => c.json({ items: await listPushSubscriptions(c.get('deps'), ctxOf(c)) }, 200))
    .openapi(deletePushRoute, async (c) => {
      await deleteOwnPushSubscription(c.get('deps'), ctxOf(c), c.req.valid('param').subscriptionId);
      return c.body(null, 204);
    })
    .openapi(vapidRoute, async (c) => {
      const key = c.get('deps').config.VAPID_PUBLIC_KEY;
      if (!key) throw new UpstreamError('web-push', 'Web push is not configured (VAPID_PUBLIC_KEY).', 503);
      return c.json({ publicKey: key }, 200);
    })
    .openapi(getAlertRoute, async (c) =>
      c.json(await readAlertWithDeliveries(c.get('deps'), ctxOf(c), c.req.valid('param').alertId), 200),
    )
    .openapi(ackLinkRoute, async (c) =>
      c.json(
        await acknowledgeFromLink(c.get('deps'), ctxOf(c), c.req.valid('param').alertId, c.req.valid('json').token),
        200,
      ),
    )
    .openapi(getSettingsRoute, async (c) =>
      c.json(await readAlertSettings(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId), 200),
    )
    .openapi(putSettingsRoute, async (c) =>
      c.json(await setAlertSettings(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('json')), 200),
    )
    .openapi(addPauseRoute, async (c) =>
      c.json(await addAlertPause(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('json')), 201),
    )
    .openapi(relativeRoute, async (c) =>
      c.json(
        await setRelativeContact(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId, c.req.valid('json')),
        200,
      ),
    );
}
