import * as z from '#shared/platform/zod.ts';
import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { newId } from '#shared/platform/ids.ts';
import { transactWrite, TransactionConflict } from '#shared/table/store.ts';
import type { Attendance, VisitRecord } from '#shared/visits/model.ts';
import { loadVisit, putVisitIfVersion } from '#shared/visits/visit-store.ts';

/**
 * Check-in from the video itself: Chime's meeting events (default bus, `source: aws.chime`,
 * `detail-type: Chime Meeting State Change`) say when each attendee really joined and left.
 * The meeting's external id is the visit id and each attendee's external user id says who it is
 * (`staff-<staffId>`, `citizen-<citizenId>`, `guest-<id>`). Events come best effort and in any
 * order, so each side keeps its first join and its last leave; the no-show check at the end of
 * the window (shared/visits/reminders-and-no-shows.ts) decides with whatever arrived.
 */
export const CHIME_EVENT_TYPE = 'Chime Meeting State Change';

export const chimeEventDetailSchema = z.object({
  eventType: z.string(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  meetingId: z.string().optional(),
  externalMeetingId: z.string().optional(),
  attendeeId: z.string().optional(),
  externalUserId: z.string().optional(),
});

const earliest = (a: string | undefined, b: string) => (a === undefined || b < a ? b : a);
const latest = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);

function applyEvent(
  visit: VisitRecord,
  detail: z.infer<typeof chimeEventDetailSchema>,
  at: string,
): Attendance | undefined {
  const before = visit.attendance ?? {};
  if (detail.eventType === 'chime:MeetingEnded')
    return { ...before, meetingEndedAt: latest(before.meetingEndedAt, at) };
  const who = detail.externalUserId ?? '';
  const side =
    who === `staff-${visit.staffId ?? ''}` ? 'staff' : who === `citizen-${visit.citizenId}` ? 'citizen' : undefined;
  if (!side) return undefined;
  if (detail.eventType === 'chime:AttendeeJoined') {
    return side === 'staff'
      ? { ...before, staffJoinedAt: earliest(before.staffJoinedAt, at) }
      : { ...before, citizenJoinedAt: earliest(before.citizenJoinedAt, at) };
  }
  if (detail.eventType === 'chime:AttendeeLeft' || detail.eventType === 'chime:AttendeeDropped') {
    return side === 'staff'
      ? { ...before, staffLeftAt: latest(before.staffLeftAt, at) }
      : { ...before, citizenLeftAt: latest(before.citizenLeftAt, at) };
  }
  return undefined;
}

/** Records one Chime event on its visit (a conditional write; a concurrent change makes it read again). */
export async function recordMeetingEvent(
  deps: Deps,
  raw: Record<string, unknown>,
  time?: string,
): Promise<{ recorded: boolean }> {
  const parsed = chimeEventDetailSchema.safeParse(raw);
  if (!parsed.success) return { recorded: false };
  const detail = parsed.data;
  const visitId = detail.externalMeetingId ?? '';
  if (!/^vis_[0-9A-HJKMNP-TV-Z]{26}$/.test(visitId)) return { recorded: false };
  const stamp =
    detail.timestamp !== undefined
      ? new Date(typeof detail.timestamp === 'number' ? detail.timestamp : Date.parse(detail.timestamp))
      : new Date(time ?? deps.clock.now());
  if (Number.isNaN(stamp.getTime())) return { recorded: false };
  const at = stamp.toISOString();
  for (let round = 1; round <= 4; round += 1) {
    const visit = await loadVisit(deps.table, visitId);
    if (!visit) return { recorded: false };
    const attendance = applyEvent(visit, detail, at);
    if (!attendance || JSON.stringify(attendance) === JSON.stringify(visit.attendance ?? {}))
      return { recorded: false };
    const now = deps.clock.now();
    const next: VisitRecord = { ...visit, attendance, version: visit.version + 1, updatedAt: now.toISOString() };
    const sys: SystemContext = { system: 'video-check-in', requestId: newId('job', now), now };
    try {
      await transactWrite(deps.table, [
        putVisitIfVersion(deps.table, next, visit.version),
        auditLogOf(deps).item(sys, {
          action: 'visit.attendance',
          resource: `visits/${visitId}`,
          citizenId: visit.citizenId,
        }),
      ]);
      return { recorded: true };
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
    }
  }
  return { recorded: false };
}
