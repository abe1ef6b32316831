import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { queryPage } from '#shared/table/store.ts';
import { consentOf, fromItem, guestKinds, type VisitRecord } from './model.ts';
import { MAX_VISIT_MINUTES, minutesMs, toZonedIso } from './time.ts';

/**
 * GET /me/next-visit: everything the citizen's tablet shows, decided with the server's clock (a
 * tablet's own clock may be wrong): the next visit and whether its join window is open, whether
 * the staff member is already in the call, guests waiting for the citizen's consent, and a visit
 * that just ended. One Query on the citizen's visits.
 */
export const tabletPhases = ['none', 'before', 'open', 'ended'] as const;
/** How long after a visit ends the tablet says so, instead of jumping straight to the next one. */
export const ENDED_NOTICE_MINUTES = 30;

const tabletVisitSchema = z
  .object({
    visitId: z.string(),
    start: z.string(),
    end: z.string(),
    joinableFrom: z.string(),
    service: z.string(),
    status: z.enum(['scheduled', 'in_progress']),
    staffJoined: z.boolean().openapi({ description: 'The staff member has opened the video session' }),
    pendingGuests: z
      .array(z.object({ guestId: z.string(), kind: z.enum(guestKinds) }))
      .openapi({ description: 'Guests waiting for the citizen’s consent' }),
  })
  .openapi('TabletVisit');

export const tabletHomeSchema = z
  .object({
    now: z.string(),
    phase: z.enum(tabletPhases),
    visit: tabletVisitSchema.nullable().openapi({ description: 'The next visit that has not ended' }),
    ended: z
      .object({ visitId: z.string(), end: z.string() })
      .nullable()
      .openapi({ description: 'A visit that ended within the last 30 minutes' }),
  })
  .openapi('TabletHome');
export type TabletHome = z.infer<typeof tabletHomeSchema>;

export async function nextVisitForTablet(deps: Deps, ctx: RequestContext): Promise<TabletHome> {
  const citizenId = ctx.actor.sub;
  const zone = deps.config.TIME_ZONE;
  const now = ctx.now.getTime();
  const since = new Date(now - minutesMs(MAX_VISIT_MINUTES + ENDED_NOTICE_MINUTES)).toISOString();
  const page = await queryPage(deps.table, {
    index: 'gsi2',
    partition: ['gsi2pk', visitKeys.citizenPartition(citizenId)],
    sort: { attribute: 'gsi2sk', gte: since },
    limit: 20,
  });
  const visits = page.items.map(fromItem).filter((v) => v.citizenId === citizenId);
  const next = visits
    .filter((v) => (v.status === 'scheduled' || v.status === 'in_progress') && new Date(v.end).getTime() > now)
    .sort((a, b) => a.start.localeCompare(b.start))[0];
  const endedAt = (v: VisitRecord) => Math.min(new Date(v.completedAt ?? v.end).getTime(), new Date(v.end).getTime());
  const ended = visits
    .filter(
      (v) => v.status !== 'cancelled' && v !== next && (v.status === 'completed' || new Date(v.end).getTime() <= now),
    )
    .filter((v) => now - endedAt(v) <= minutesMs(ENDED_NOTICE_MINUTES) && endedAt(v) <= now)
    .sort((a, b) => endedAt(b) - endedAt(a))[0];

  const opens = next ? new Date(next.start).getTime() - minutesMs(deps.config.VISIT_JOIN_EARLY_MINUTES) : undefined;
  const phase: TabletHome['phase'] =
    next && opens !== undefined && now >= opens ? 'open' : ended ? 'ended' : next ? 'before' : 'none';
  if (next)
    await auditLogOf(deps).recordRead(ctx, {
      action: 'visit.read',
      resource: `visits/${next.visitId}`,
      citizenId,
    });
  return {
    now: toZonedIso(ctx.now.toISOString(), zone),
    phase,
    visit: next
      ? {
          visitId: next.visitId,
          start: toZonedIso(next.start, zone),
          end: toZonedIso(next.end, zone),
          joinableFrom: toZonedIso(new Date(opens ?? now).toISOString(), zone),
          service: next.purpose.service,
          status: next.status === 'in_progress' ? 'in_progress' : 'scheduled',
          staffJoined: next.status === 'in_progress',
          pendingGuests: next.guests
            .filter((g) => consentOf(g) === 'pending')
            .map((g) => ({ guestId: g.guestId, kind: g.kind })),
        }
      : null,
    ended: ended ? { visitId: ended.visitId, end: toZonedIso(new Date(endedAt(ended)).toISOString(), zone) } : null,
  };
}
