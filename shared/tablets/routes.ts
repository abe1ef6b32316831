import { createRoute } from '@hono/zod-openapi';
import * as z from '#shared/platform/zod.ts';
import { newRouter } from '#shared/http/app.ts';
import { requestContext as ctxOf } from '#shared/http/env.ts';
import { bearer, idParam, jsonBody, jsonContent, problems, requireRole } from '#shared/http/openapi.ts';
import {
  createPairing,
  listTablets,
  pairedTabletSchema,
  pairingSchema,
  redeemPairing,
  redeemPairingSchema,
  revokeTablet,
  tabletSchema,
} from './pairing.ts';

const CitizenParams = z.object({ citizenId: idParam('cit') });
const TabletParams = z.object({ citizenId: idParam('cit'), tabletId: idParam('tab') });

const createPairingRoute = createRoute({
  method: 'post',
  path: '/citizens/{citizenId}/tablet-pairings',
  operationId: 'createTabletPairing',
  tags: ['tablets'],
  summary: 'Make a pairing code (and QR image) for a citizen’s tablet: 15 minutes, single use',
  description:
    'Roles: staff, lead (of the citizen’s team; another team’s citizen is 404). The code is shown once; only its hash is stored.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: CitizenParams },
  responses: { 201: jsonContent(pairingSchema, 'The code, when it expires, and its QR image'), ...problems(400, 404) },
});

const redeemRoute = createRoute({
  method: 'post',
  path: '/tablet-pairings/redeem',
  operationId: 'redeemTabletPairing',
  tags: ['tablets'],
  summary: 'The tablet trades a pairing code for its long-lived credential (no password, no MFA)',
  description:
    'Roles: none — the caller is a tablet with a code, and the code is the credential. 404 when the code is unknown, used or expired. The returned token is the tablet’s bearer token until staff revoke the tablet.',
  'x-roles': [],
  security: [],
  request: { body: jsonBody(redeemPairingSchema) },
  responses: { 201: jsonContent(pairedTabletSchema, 'The tablet’s credential (shown once)'), ...problems(400, 404) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/citizens/{citizenId}/tablets',
  operationId: 'listCitizenTablets',
  tags: ['tablets'],
  summary: 'A citizen’s paired tablets, revoked ones included',
  description: 'Roles: staff, lead (of the citizen’s team). Audited as a read.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: CitizenParams },
  responses: {
    200: jsonContent(
      z.object({ items: z.array(tabletSchema).max(50) }).openapi('TabletList'),
      'The tablets, newest first',
    ),
    ...problems(400, 404),
  },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/citizens/{citizenId}/tablets/{tabletId}',
  operationId: 'revokeCitizenTablet',
  tags: ['tablets'],
  summary: 'Revoke a tablet (lost, replaced): its credential stops working at once',
  description: 'Roles: staff, lead (of the citizen’s team). Revoking a revoked tablet changes nothing.',
  'x-roles': ['staff', 'lead'],
  security: bearer,
  middleware: [requireRole('staff', 'lead')] as const,
  request: { params: TabletParams },
  responses: { 200: jsonContent(tabletSchema, 'The revoked tablet'), ...problems(400, 404, 409) },
});

function webOrigin(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const url = new URL(header);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export function tabletRoutes() {
  return newRouter()
    .openapi(createPairingRoute, async (c) => {
      const deps = c.get('deps');
      // Staff call this from the web console, whose Origin is where tablets open the page too
      // (behind CloudFront the request's own host is API Gateway's).
      const webBase = deps.config.WEB_BASE_URL ?? webOrigin(c.req.header('origin')) ?? new URL(c.req.url).origin;
      return c.json(await createPairing(deps, ctxOf(c), c.req.valid('param').citizenId, webBase), 201);
    })
    .openapi(redeemRoute, async (c) =>
      c.json(
        await redeemPairing(
          c.get('deps'),
          { requestId: c.get('requestId'), now: c.get('deps').clock.now() },
          c.req.valid('json'),
        ),
        201,
      ),
    )
    .openapi(listRoute, async (c) =>
      c.json(await listTablets(c.get('deps'), ctxOf(c), c.req.valid('param').citizenId), 200),
    )
    .openapi(revokeRoute, async (c) => {
      const { citizenId, tabletId } = c.req.valid('param');
      return c.json(await revokeTablet(c.get('deps'), ctxOf(c), citizenId, tabletId), 200);
    });
}
