import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '#shared/platform/errors.ts';
import { staffKeys } from '#shared/table/keys.ts';
import { getItem, put, transactWrite } from '#shared/table/store.ts';
import { getStaffProfile } from './availability.ts';

/**
 * Calendar programs subscribe to a URL and cannot send a bearer token, so a staff member gets a
 * secret feed key for `GET /staff/{staffId}/calendar.ics?key=…`. Only its SHA-256 hash is
 * stored; issuing a new key revokes the old one (a lost phone, a leaked link). The key reads
 * that one calendar and nothing else.
 */
const hashOf = (key: string) => createHash('sha256').update(key).digest();

export async function issueCalendarFeedKey(
  deps: Deps,
  ctx: RequestContext,
  staffId: string,
): Promise<{ key: string; path: string; issuedAt: string }> {
  const own = ctx.actor.sub === staffId;
  if (!own && !hasRole(ctx.actor, 'lead'))
    throw new ForbiddenError('A staff member issues only their own feed key; a lead anyone’s in the team.');
  const profile = await getStaffProfile(deps.table, staffId, true);
  if (!profile || profile.team !== ctx.actor.team) throw new NotFoundError('The staff member');
  const key = randomBytes(32).toString('base64url');
  const issuedAt = ctx.now.toISOString();
  await transactWrite(deps.table, [
    put(deps.table, {
      ...staffKeys.calendarFeed(staffId),
      entity: 'CalendarFeedKey',
      staffId,
      keyHash: hashOf(key).toString('hex'),
      issuedAt,
      issuedBy: ctx.actor.sub,
    }),
  ]);
  return { key, path: `/staff/${encodeURIComponent(staffId)}/calendar.ics?key=${key}`, issuedAt };
}

/** The staff member a feed key belongs to, as the caller reading their own calendar; 401 otherwise. */
export async function actorFromCalendarFeedKey(deps: Deps, staffId: string, key: string): Promise<Actor> {
  const [stored, profile] = await Promise.all([
    getItem(deps.table, staffKeys.calendarFeed(staffId), { consistent: true }),
    getStaffProfile(deps.table, staffId),
  ]);
  const expected = typeof stored?.keyHash === 'string' ? Buffer.from(stored.keyHash, 'hex') : undefined;
  if (!expected || expected.length !== 32 || !profile || !timingSafeEqual(expected, hashOf(key))) {
    throw new UnauthenticatedError('The calendar feed key is not valid; issue a new one.');
  }
  return { kind: 'user', sub: staffId, roles: ['staff'], team: profile.team };
}
