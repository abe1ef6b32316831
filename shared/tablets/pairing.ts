import { createHash, randomInt } from 'node:crypto';
import * as z from '#shared/platform/zod.ts';
import { DateTime, Duration } from 'luxon';
import { auditLogOf, type AuditEntry } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { transactWrite } from '#shared/table/store.ts';
import {
  getPairingCode,
  getTablet,
  listCitizenTablets,
  PairingGone,
  putPairingCode,
  redeemCode,
  TabletChanged,
  writeRevoked,
  type TabletItem,
} from './tablet-store.ts';
import { issueTabletToken } from './tokens.ts';

/**
 * Pairing instead of passwords. Staff make a short code (and its QR image) for a citizen; the
 * tablet enters or scans it once within 15 minutes and gets its own long-lived credential. The
 * code is single use (its item is deleted in the transaction that pairs the tablet) and only its
 * hash is stored. Staff list a citizen's tablets and revoke one (a lost tablet) at once.
 */
export const PAIRING_MINUTES = 15;
/** No 0/O, 1/I/L: an 80-year-old reads the code off a phone or a note. 32^8 ≈ 10^12 codes. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
export const MAX_TABLETS_LISTED = 50;

export const pairingCodeInput = z
  .string()
  .trim()
  .min(CODE_LENGTH)
  .max(20)
  .regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes')
  .openapi({ description: 'The code as staff showed it; case, spaces and dashes do not matter', example: 'KDM4-7QXA' });

export const redeemPairingSchema = z
  .strictObject({
    code: pairingCodeInput,
    label: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .optional()
      .openapi({ description: 'What staff see in the list of tablets, e.g. the device model' }),
  })
  .openapi('RedeemPairing');

const PAIRING_VALID = Duration.fromObject({ minutes: PAIRING_MINUTES });
/** DynamoDB's TTL only cleans up (within days); `validUntil` is what redeeming checks. */
const PAIRING_KEPT = Duration.fromObject({ days: 1 });

export const pairingSchema = z
  .object({
    code: z.string().openapi({ example: 'KDM4-7QXA' }),
    expiresAt: z.string(),
    pairingUrl: z.string().openapi({ description: 'The tablet page with the code filled in: what the QR image holds' }),
    qrImage: z.string().openapi({ description: 'The QR image of `pairingUrl`, as an SVG data URL' }),
  })
  .openapi('TabletPairing');

export const pairedTabletSchema = z
  .object({
    token: z.string().openapi({ description: 'Secret: the tablet’s credential (bearer token), shown once' }),
    expiresAt: z.string(),
    tabletId: z.string(),
    citizenId: z.string(),
  })
  .openapi('PairedTablet');

export const tabletSchema = z
  .object({
    tabletId: z.string(),
    citizenId: z.string(),
    label: z.string().optional(),
    pairedAt: z.string(),
    pairedBy: z.string(),
    revokedAt: z.string().optional(),
    revokedBy: z.string().optional(),
    status: z.enum(['active', 'revoked']),
    lastSeenAt: z
      .string()
      .optional()
      .openapi({ description: 'When the tablet last made a request (updated at most every few minutes)' }),
  })
  .openapi('Tablet');
export type Tablet = z.infer<typeof tabletSchema>;

const normalise = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
const hashOf = (code: string) =>
  createHash('sha256')
    .update(`tablet-pairing:${normalise(code)}`)
    .digest('hex');
const audit = (deps: Deps) => auditLogOf(deps);

function newCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** Loaded by the pairing route alone: every other request of the visits function would pay for it at import. */
export async function qrImage(text: string): Promise<string> {
  const { default: qrcode } = await import('qrcode-generator');
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const svg = qr.createSvgTag({ cellSize: 8, margin: 4, scalable: true });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** POST /citizens/{id}/tablet-pairings: staff or lead of the citizen's team make a code. */
export async function createPairing(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  webBaseUrl: string,
): Promise<z.infer<typeof pairingSchema>> {
  const citizen = await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const code = newCode();
  const expires = DateTime.fromJSDate(ctx.now).plus(PAIRING_VALID);
  const pairing = {
    citizenId,
    team: citizen.team,
    createdBy: ctx.actor.sub,
    createdAt: ctx.now.toISOString(),
    validUntil: Math.floor(expires.toSeconds()),
  };
  await transactWrite(deps.table, [
    putPairingCode(deps.table, hashOf(code), pairing, Math.floor(expires.plus(PAIRING_KEPT).toSeconds())),
    audit(deps).item(ctx, { action: 'tablet.pair', resource: `citizens/${citizenId}/tablet-pairings`, citizenId }),
  ]);
  const pairingUrl = `${webBaseUrl.replace(/\/$/, '')}/tablet?pair=${encodeURIComponent(code)}`;
  return { code, expiresAt: expires.toJSDate().toISOString(), pairingUrl, qrImage: await qrImage(pairingUrl) };
}

/**
 * POST /tablet-pairings/redeem: the tablet trades a live code for its credential. The code's item
 * is deleted on condition that it is still live, in the same transaction that records the
 * tablet: two tablets racing for one code get one credential.
 */
export async function redeemPairing(
  deps: Deps,
  ctx: Omit<RequestContext, 'actor'>,
  input: z.infer<typeof redeemPairingSchema>,
): Promise<z.infer<typeof pairedTabletSchema>> {
  const codeHash = hashOf(input.code);
  const unknown = () => new NotFoundError('The pairing code (it may be mistyped, used or older than 15 minutes)');
  const pairing = await getPairingCode(deps.table, codeHash);
  const nowSeconds = Math.floor(ctx.now.getTime() / 1000);
  if (!pairing || pairing.validUntil <= nowSeconds) throw unknown();
  const { citizenId, team } = pairing;
  const tabletId = newId('tab', ctx.now);
  const at = ctx.now.toISOString();
  const tablet: TabletItem = {
    tabletId,
    citizenId,
    team,
    pairedAt: at,
    pairedBy: pairing.createdBy,
    lastSeenAt: at,
    ...(input.label ? { label: input.label } : {}),
  };
  const asTablet: RequestContext = { ...ctx, actor: { kind: 'user', sub: citizenId, roles: ['citizen'], team } };
  const paired = audit(deps).item(asTablet, {
    action: 'tablet.paired',
    resource: `citizens/${citizenId}/tablets/${tabletId}`,
    citizenId,
  });
  try {
    await redeemCode(deps.table, codeHash, nowSeconds, tablet, [paired]);
  } catch (error) {
    if (error instanceof PairingGone) throw unknown();
    throw error;
  }
  const { token, expiresAt } = await issueTabletToken(deps, { citizenId, tabletId, team }, ctx.now);
  return { token, expiresAt, tabletId, citizenId };
}

const toTablet = (item: TabletItem): Tablet => ({
  tabletId: item.tabletId,
  citizenId: item.citizenId,
  ...(item.label ? { label: item.label } : {}),
  pairedAt: item.pairedAt,
  pairedBy: item.pairedBy,
  ...(item.revokedAt ? { revokedAt: item.revokedAt, revokedBy: item.revokedBy ?? '' } : {}),
  status: item.revokedAt ? 'revoked' : 'active',
  ...(item.lastSeenAt ? { lastSeenAt: item.lastSeenAt } : {}),
});

/** GET /citizens/{id}/tablets: the citizen's tablets, newest first, revoked ones included. */
export async function listTablets(deps: Deps, ctx: RequestContext, citizenId: string): Promise<{ items: Tablet[] }> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const items = await listCitizenTablets(deps.table, citizenId, MAX_TABLETS_LISTED);
  const entry: AuditEntry = { action: 'tablet.read', resource: `citizens/${citizenId}/tablets`, citizenId };
  await audit(deps).recordRead(ctx, entry);
  return { items: items.slice(0, MAX_TABLETS_LISTED).map(toTablet) };
}

/** DELETE /citizens/{id}/tablets/{tabletId}: the tablet's credential stops working at its next request. */
export async function revokeTablet(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  tabletId: string,
): Promise<Tablet> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const item = await getTablet(deps.table, citizenId, tabletId);
  if (!item) throw new NotFoundError('The tablet');
  if (item.revokedAt) return toTablet(item);
  const revoked = { ...item, revokedAt: ctx.now.toISOString(), revokedBy: ctx.actor.sub };
  const audited = audit(deps).item(ctx, {
    action: 'tablet.revoke',
    resource: `citizens/${citizenId}/tablets/${tabletId}`,
    citizenId,
  });
  try {
    await writeRevoked(deps.table, revoked, [audited]);
  } catch (error) {
    if (error instanceof TabletChanged)
      throw new ConflictError('The tablet was changed meanwhile; try again.', 'contended');
    throw error;
  }
  return toTablet(revoked);
}
