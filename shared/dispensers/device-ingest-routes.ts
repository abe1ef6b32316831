import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { createMiddleware } from 'hono/factory';
import { newRouter } from '#shared/http/app.ts';
import type { AppEnv } from '#shared/http/env.ts';
import { jsonBody, jsonContent, problems } from '#shared/http/openapi.ts';
import { UnauthenticatedError } from '#shared/platform/errors.ts';
import { ingestDeviceEvents } from './ingest.ts';
import {
  deviceEventBatchEnvelopeSchema,
  deviceEventSchema,
  ingestResultSchema,
  MAX_EVENTS_PER_BATCH,
} from './model.ts';

/**
 * The device's route. The app's JWT middleware skips it; the dispenser's own credential is
 * checked in the domain (ingest.ts) together with the first read. A request without a credential
 * of the right shape is refused here, before its body is even validated.
 */
const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/;
const credentialOf = (header: string | undefined) => header?.match(BEARER)?.[1];

const requireCredentialHeader = createMiddleware<AppEnv>(async (c, next) => {
  if (!credentialOf(c.req.header('authorization')))
    throw new UnauthenticatedError('A device credential is required: Authorization: Bearer <credential>.');
  await next();
});

const ingestRoute = createRoute({
  method: 'post',
  path: '/dispensers/{dispenserId}/events',
  operationId: 'postDeviceEvents',
  'x-roles': ['device'],
  tags: ['devices'],
  summary: `A dispenser’s batch of events (up to ${MAX_EVENTS_PER_BATCH}); 202 with what was stored, repeated or rejected`,
  description: [
    `Authenticated by the dispenser’s own credential (\`Authorization: Bearer <credential>\` from POST /dispensers), not a user token: a wrong or revoked credential is a 401, another dispenser’s valid credential a 403; nothing is stored then. (A credential replaced in the last \`DEVICE_CACHE_SECONDS\`, 30 s by default, may still be answered 202 by a server that checked it just before; such events are refused when they are derived and never count.)`,
    `Idempotent per \`eventId\`: a repeat is counted in \`duplicates\` and stored once. Each event is validated on its own: good ones are stored, bad ones listed in \`rejected\` by their index.`,
    `Rejected too: an event more than 10 minutes ahead of the server clock, older than the raw-event retention, or at a time the dispenser was not with a citizen. Order does not matter: outcomes are derived from the events’ own timestamps.`,
    `More than ${MAX_EVENTS_PER_BATCH} events: 413, nothing stored.`,
  ].join('\n\n'),
  security: [{ deviceCredential: [] as string[] }],
  middleware: [requireCredentialHeader] as const,
  request: {
    params: z.object({ dispenserId: z.string().min(1).max(64).openapi({ example: 'dsp_01JD0000000000000000000000' }) }),
    body: jsonBody(deviceEventBatchEnvelopeSchema),
  },
  responses: { 202: jsonContent(ingestResultSchema, 'Accepted: per-event results'), ...problems(400, 413, 415) },
});

export function deviceEventRoutes() {
  const router = newRouter();
  // The batch's events are `unknown` to zod (checked one by one), so name their schema here.
  router.openAPIRegistry.register('DeviceEvent', deviceEventSchema);
  return router.openapi(ingestRoute, async (c) => {
    const result = await ingestDeviceEvents(
      c.get('deps'),
      {
        dispenserId: c.req.valid('param').dispenserId,
        credential: credentialOf(c.req.header('authorization')),
        requestId: c.get('requestId'),
      },
      c.req.valid('json'),
    );
    return c.json(result, 202);
  });
}
