import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { DateTime, Duration } from 'luxon';
import type { Actor } from '#shared/platform/actor.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { UnauthenticatedError } from '#shared/platform/errors.ts';
import { logger } from '#shared/platform/logger.ts';
import { tabletSigningKey } from './signing-key.ts';
import { getTablet, markSeen, type TabletItem } from './tablet-store.ts';

/**
 * A paired tablet's credential: a JWT the API signs itself (not Cognito: no password, no MFA, no
 * refresh dance on a shared tablet), naming the citizen (`sub`) and the tablet (`tid`). It is
 * long-lived, and revocable because every request also reads the tablet's record: a revoked or
 * unknown tablet is out at once. See docs/tablet-credentials.md.
 */
export const TABLET_TOKEN_TYPE = 'tablet+jwt';
export const TABLET_ISSUER = 'e-team-tablets';
export const TABLET_TOKEN_DAYS = 180;
/**
 * How fresh `lastSeenAt` is kept: a tablet's requests write it at most this often, so the
 * heartbeat costs one small write per tablet per quarter hour whatever the tablet polls.
 */
export const TABLET_SEEN_RESOLUTION = Duration.fromObject({ minutes: 15 });

export async function issueTabletToken(
  deps: Deps,
  claims: { citizenId: string; tabletId: string; team: string },
  now: Date,
): Promise<{ token: string; expiresAt: string }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + Duration.fromObject({ days: TABLET_TOKEN_DAYS }).as('seconds');
  const token = await new SignJWT({ tid: claims.tabletId, team: claims.team })
    .setProtectedHeader({ alg: 'HS256', typ: TABLET_TOKEN_TYPE })
    .setSubject(claims.citizenId)
    .setIssuer(TABLET_ISSUER)
    .setAudience(deps.config.JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(await tabletSigningKey(deps.secrets));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Whether a bearer token claims to be a tablet token (decided by its header; verified after). */
export function isTabletToken(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === TABLET_TOKEN_TYPE;
  } catch {
    return false;
  }
}

/** What an app verifies tablet tokens with (AppOptions.tabletTokens). */
export const tabletTokens = { claims: isTabletToken, verify: verifyTabletToken };

/** The citizen a valid, unrevoked tablet token speaks for; 401 otherwise. */
export async function verifyTabletToken(deps: Deps, token: string): Promise<Actor> {
  let citizenId: string;
  let tabletId: string;
  try {
    const { payload } = await jwtVerify(token, await tabletSigningKey(deps.secrets), {
      issuer: TABLET_ISSUER,
      audience: deps.config.JWT_AUDIENCE,
      algorithms: ['HS256'],
      typ: TABLET_TOKEN_TYPE,
      currentDate: deps.clock.now(),
    });
    if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string') throw new Error('claims');
    citizenId = payload.sub;
    tabletId = payload.tid;
  } catch {
    throw new UnauthenticatedError(
      'The tablet is not paired (or its pairing has expired). Ask the care team for a new code.',
    );
  }
  const tablet = await getTablet(deps.table, citizenId, tabletId);
  if (!tablet || tablet.revokedAt) {
    throw new UnauthenticatedError('This tablet has been disconnected. Ask the care team for a new code.');
  }
  await recordSeen(deps, tablet, deps.clock.now());
  return { kind: 'user', sub: citizenId, roles: ['citizen'], team: tablet.team };
}

/**
 * Every authenticated tablet request is its heartbeat: `lastSeenAt` moves when it is older than
 * TABLET_SEEN_RESOLUTION (the tablet-not-seen job reads it). Best effort: a failed write never
 * turns the tablet's request away.
 */
export async function recordSeen(deps: Deps, tablet: TabletItem, now: Date): Promise<void> {
  const staleBefore = DateTime.fromJSDate(now).minus(TABLET_SEEN_RESOLUTION).toJSDate().toISOString();
  if (tablet.lastSeenAt && tablet.lastSeenAt >= staleBefore) return;
  try {
    await markSeen(deps.table, tablet, now.toISOString(), staleBefore);
  } catch (error) {
    logger.warn('tablet heartbeat not recorded', { tabletId: tablet.tabletId, error: error as Error });
  }
}
