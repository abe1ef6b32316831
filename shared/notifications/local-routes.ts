import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import { bearer, jsonContent, problems, requireRole } from '#shared/http/openapi.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { LocalNotifier } from './local-notifier.ts';

/**
 * LOCAL ONLY: what would have been sent. Mounted by `npm start` and the tests, never part of an
 * API part, so it does not exist on AWS.
 */
const outboxEntry = z
  .object({
    at: z.string(),
    channel: z.enum(['push', 'sms']),
    recipient: z.string(),
    to: z.string(),
    title: z.string().optional(),
    body: z.string(),
    url: z.string().optional(),
    outcome: z.enum(['sent', 'gone', 'failed']),
  })
  .openapi('OutboxEntry');

const outboxRoute = createRoute({
  method: 'get',
  path: '/notifications/outbox',
  operationId: 'getLocalOutbox',
  tags: ['notifications'],
  summary: 'LOCAL ONLY: every push and SMS the local stand-in would have sent, newest last',
  description: 'Roles: staff, lead, support, admin, citizen (a citizen sees their own). Absent on AWS.',
  'x-roles': ['staff', 'lead', 'support', 'admin', 'citizen'],
  security: bearer,
  middleware: [requireRole('staff', 'lead', 'support', 'admin', 'citizen')] as const,
  request: { query: z.strictObject({ recipient: z.string().max(64).optional() }) },
  responses: { 200: jsonContent(z.object({ items: z.array(outboxEntry) }), 'The outbox'), ...problems(400, 404) },
});

export function localNotificationRoutes() {
  return newRouter().openapi(outboxRoute, (c) => {
    const notifier = c.get('deps').notifier;
    if (!(notifier instanceof LocalNotifier)) throw new NotFoundError('The local outbox');
    const actor = c.get('actor');
    const recipient =
      actor.roles.includes('citizen') && actor.roles.length === 1 ? actor.sub : c.req.valid('query').recipient;
    return c.json({ items: recipient ? notifier.to(recipient) : [...notifier.outbox] }, 200);
  });
}
