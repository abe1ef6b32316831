import * as z from '#shared/platform/zod.ts';
import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import { raiseAlertItems } from '#shared/alerts/alerts.ts';
import { outboxEvent, recordEvents } from '#shared/domain-events/outbox.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { newId } from '#shared/platform/ids.ts';
import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { visitEvent } from './event-types.ts';
import type { MissedReason, VisitRecord } from './model.ts';
import {
  failedCondition,
  loadVisit,
  otherAction,
  visitAction,
  VisitWriteContended,
  VisitWriteRefused,
  writeVisit,
} from './visit-store.ts';
import { VISIT_NO_SHOW_JOB } from './job-names.ts';
import { noShowScheduleName } from './schedules.ts';
import { toZonedIso } from './time.ts';

const reminderPayload = z.object({ visitId: z.string(), start: z.string() });
const noShowPayload = z.object({ visitId: z.string() });

/** Publishes VisitReminderDue for a visit that is still scheduled at the time the reminder was made for. */
export async function remindVisit(deps: Deps, payload: Record<string, unknown>): Promise<{ reminded: boolean }> {
  const { visitId, start } = reminderPayload.parse(payload);
  const visit = await loadVisit(deps.table, visitId);
  if (!visit || visit.status !== 'scheduled' || visit.start !== start) return { reminded: false };
  const now = deps.clock.now();
  // The reminder is a fact of its own; its id is derived from the visit and time, so a job run twice records it once.
  await recordEvents(deps.table, [
    {
      ...visitEvent('VisitReminderDue', visit, { remindAt: now.toISOString() }, now),
      id: `evt_reminder_${visitId}_${start}`,
    },
  ]);
  return { reminded: true };
}

/** The visit changed while the check was writing: read it again. */
class LookAgain extends Error {
  override readonly name = 'LookAgain';
}

type NoShowOutcome = { outcome: 'missed' | 'not-missed' | 'rescheduled' };

/**
 * What the check at the window's end does with the visit as read: nothing, check again at its
 * (moved) end, or mark it missed for `reason`.
 */
export function decideNoShow(
  visit: VisitRecord | undefined,
  now: Date,
):
  | { then: 'not-missed' }
  | { then: 'reschedule'; at: Date }
  | { then: 'missed'; missed: VisitRecord; reason: MissedReason } {
  if (!visit || (visit.status !== 'scheduled' && visit.status !== 'in_progress')) return { then: 'not-missed' };
  if (now.getTime() < new Date(visit.end).getTime()) return { then: 'reschedule', at: new Date(visit.end) };
  const reason = noShowReason(visit);
  if (!reason) return { then: 'not-missed' };
  const at = now.toISOString();
  const missed = { ...visit, status: 'missed' as const, missedAt: at, missedReason: reason };
  return { then: 'missed', missed: { ...missed, version: visit.version + 1, updatedAt: at }, reason };
}

function missedAlert(deps: Deps, visit: VisitRecord, reason: MissedReason, sys: SystemContext) {
  const who =
    reason === 'citizen-no-show'
      ? 'the citizen never joined'
      : visit.staffId
        ? 'the staff member never joined'
        : 'it had no staff member';
  const when = toZonedIso(visit.start, deps.config.TIME_ZONE).slice(0, 16);
  return raiseAlertItems(deps, {
    kind: 'visit_missed',
    team: visit.team,
    citizenId: visit.citizenId,
    visitId: visit.visitId,
    dedupKey: `visit_missed#${visit.visitId}`,
    summary: `Screen visit ${visit.visitId} (${visit.purpose.service}, ${when}) was not held: ${who}.`,
    details: { reason },
    occurredAt: new Date(visit.end),
    by: sys,
  });
}

/** Marks the visit missed with its alert, or alone when the alert's cause was already claimed. */
async function writeMissed(
  deps: Deps,
  visit: VisitRecord,
  { missed, reason }: { missed: VisitRecord; reason: MissedReason },
  now: Date,
): Promise<void> {
  const sys: SystemContext = { system: 'visit-no-show-check', requestId: newId('job', now), now };
  const change = [
    visitAction(deps.table, missed, visit.version),
    otherAction(
      'audit',
      auditLogOf(deps).item(sys, {
        action: 'visit.missed',
        resource: `visits/${visit.visitId}`,
        citizenId: visit.citizenId,
      }),
    ),
  ];
  const citizenJoined = reason !== 'citizen-no-show' && visit.citizenJoinedAt !== undefined;
  const missedEvent = (alertId?: string) =>
    otherAction(
      'event',
      outboxEvent(
        deps.table,
        visitEvent(
          'VisitMissed',
          missed,
          { missedAt: missed.missedAt, citizenJoined, reason, ...(alertId ? { alertId } : {}) },
          now,
        ),
      ),
    );
  const alert = missedAlert(deps, visit, reason, sys);
  const [claim, ...rest] = alert.items;
  const alertActions = [
    ...(claim ? [otherAction('alertClaim', claim)] : []),
    ...rest.map((item) => otherAction('alert', item)),
  ];
  try {
    await writeVisit(deps.table, missed, [...alertActions, ...change, missedEvent(alert.alertId)], 1);
  } catch (error) {
    if (!(error instanceof VisitWriteRefused && error.failedOn === 'alertClaim')) throw lookAgainIf(error);
    // The cause was already claimed (an earlier run that lost its visit write?): mark it missed alone.
    await writeVisit(deps.table, missed, [...change, missedEvent()], 1).catch((again) => {
      throw lookAgainIf(again);
    });
  }
}

/** A refused or contended visit write means the visit changed meanwhile; anything else is a failure. */
const lookAgainIf = (error: unknown) =>
  failedCondition(error) || error instanceof VisitWriteContended ? new LookAgain('The visit changed') : error;

async function checkNoShowOnce(deps: Deps, visitId: string): Promise<NoShowOutcome> {
  const visit = await loadVisit(deps.table, visitId);
  const now = deps.clock.now();
  const decision = decideNoShow(visit, now);
  if (decision.then === 'not-missed' || !visit) return { outcome: 'not-missed' };
  if (decision.then === 'reschedule') {
    const schedule = { name: noShowScheduleName(visitId), at: decision.at, job: VISIT_NO_SHOW_JOB };
    await deps.scheduler.scheduleOnce({ ...schedule, payload: { visitId } });
    return { outcome: 'rescheduled' };
  }
  await writeMissed(deps, visit, decision, now);
  return { outcome: 'missed' };
}

/**
 * At the window's end: a visit still `scheduled` (never started, so never completed) becomes
 * `missed`, and a `visit_missed` alert is raised in the same transaction. A check that fires
 * before the visit's current end (it was moved later) schedules itself again.
 */
export async function checkNoShow(deps: Deps, payload: Record<string, unknown>): Promise<NoShowOutcome> {
  const { visitId } = noShowPayload.parse(payload);
  try {
    return await withRetry(() => checkNoShowOnce(deps, visitId), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts: 3,
      retryIf: (error) => error instanceof LookAgain,
    });
  } catch (error) {
    if (error instanceof LookAgain) return { outcome: 'not-missed' };
    throw error;
  }
}

/**
 * At the window's end: never started → `staff-no-show`. Started: the meeting's attendee events
 * decide — the citizen never in the meeting → `citizen-no-show`, the citizen there but the staff
 * member never → `staff-no-show`. Chime delivers those events best effort, so when none at all
 * arrived for the visit, the citizen's join call stands in for the citizen's presence rather than
 * calling a visit missed on a lost event. Undefined: the visit was held (or is still running).
 */
export function noShowReason(visit: VisitRecord): MissedReason | undefined {
  if (visit.status === 'scheduled') return 'staff-no-show';
  if (visit.status !== 'in_progress') return undefined;
  const a = visit.attendance;
  const heardFromChime = a !== undefined && Object.values(a).some((v) => v !== undefined);
  const citizenThere = heardFromChime ? a.citizenJoinedAt !== undefined : visit.citizenJoinedAt !== undefined;
  if (!citizenThere) return 'citizen-no-show';
  if (heardFromChime && a.staffJoinedAt === undefined) return 'staff-no-show';
  return undefined;
}
