import { DateTime } from 'luxon';
import type { ICalEventStatus } from 'ical-generator';
import { auditLogOf } from '#shared/audit/audit.ts';
import { hasRole } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ForbiddenError, NotFoundError } from '#shared/platform/errors.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import { getStaffProfile } from './availability.ts';
import { fromItem, type VisitRecord } from './model.ts';

/**
 * A staff member's visits as an iCalendar feed (RFC 5545) a calendar program can subscribe to:
 * the last CALENDAR_PAST_DAYS days and everything ahead. Times are written in UTC (`…Z`), which
 * every client shows in its own zone and which needs no VTIMEZONE. Each event has a stable UID
 * (the visit id), DTSTAMP = the visit's last change and SEQUENCE = its version, so a client
 * updates a moved visit instead of adding a second one; cancelled visits stay, STATUS:CANCELLED.
 * The feed leaves our system, so it carries no citizen names: the visit and citizen ids, the
 * benefit, and the API path to open the visit.
 */
export const CALENDAR_PAST_DAYS = 30;
const MAX_EVENTS = 2_000;

/**
 * RFC 5545 gives an event only TENTATIVE, CONFIRMED or CANCELLED: a visit that is held, running or
 * over (completed or missed) was a confirmed appointment; a cancelled one is CANCELLED, which
 * calendars strike through. What became of it is in CATEGORIES and the summary.
 */
export const ICAL_STATUS = {
  scheduled: 'CONFIRMED',
  in_progress: 'CONFIRMED',
  completed: 'CONFIRMED',
  missed: 'CONFIRMED',
  cancelled: 'CANCELLED',
} as const satisfies Record<VisitRecord['status'], `${ICalEventStatus}`>;

/** `baseUrl`: the API's public origin, for the absolute link to each visit. */
export async function staffCalendar(
  deps: Deps,
  ctx: RequestContext,
  staffId: string,
  baseUrl: string,
): Promise<string> {
  const own = ctx.actor.sub === staffId;
  if (!own && !hasRole(ctx.actor, 'lead'))
    throw new ForbiddenError('A staff member reads only their own calendar; a lead anyone’s in the team.');
  const profile = await getStaffProfile(deps.table, staffId);
  if (profile ? profile.team !== ctx.actor.team : !own) throw new NotFoundError('The staff member');

  const from = DateTime.fromJSDate(ctx.now, { zone: 'utc' })
    .minus({ days: CALENDAR_PAST_DAYS })
    .toJSDate()
    .toISOString();
  const visits = (
    await queryAll(
      deps.table,
      {
        index: 'gsi1',
        partition: ['gsi1pk', visitKeys.staffPartition(staffId)],
        sort: { attribute: 'gsi1sk', gte: from },
      },
      MAX_EVENTS,
    )
  )
    .map(fromItem)
    .filter((v) => v.team === ctx.actor.team);
  await auditLogOf(deps).recordRead(
    ctx,
    ...visits.map((v) => ({ action: 'visit.read' as const, resource: `visits/${v.visitId}`, citizenId: v.citizenId })),
  );

  return calendarText(visits, { staffId, domain: `${deps.config.MUNICIPALITY}.e-team.example`, baseUrl });
}

/** The feed's text (RFC 5545) for these visits: no table, no caller, the same visits give the same text. */
export async function calendarText(
  visits: readonly VisitRecord[],
  feed: { staffId: string; domain: string; baseUrl: string },
): Promise<string> {
  // Loaded by the feed alone: every other request of the visits function would pay for it at import.
  const { default: ical, ICalEventStatus: status } = await import('ical-generator');
  const { staffId, domain, baseUrl } = feed;
  const calendar = ical({
    name: `Screen visits — ${staffId}`,
    prodId: { company: 'E-team', product: 'screen-visits', language: 'EN' },
    ttl: 15 * 60,
  });
  for (const visit of visits) {
    calendar.createEvent({
      id: `${visit.visitId}@${domain}`,
      start: new Date(visit.start),
      end: new Date(visit.end),
      stamp: new Date(visit.updatedAt),
      sequence: visit.version - 1,
      summary: `Screen visit: ${visit.purpose.service}${visit.status === 'scheduled' ? '' : ` (${visit.status.replace('_', ' ')})`}`,
      description: `Visit ${visit.visitId} for citizen ${visit.citizenId}. Open: ${new URL(`/visits/${visit.visitId}`, baseUrl).href}`,
      url: new URL(`/visits/${visit.visitId}`, baseUrl).href,
      status: status[ICAL_STATUS[visit.status]],
      categories: [{ name: visit.status }],
    });
  }
  return calendar.toString();
}
