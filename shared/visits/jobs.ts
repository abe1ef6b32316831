import { z } from 'zod';
import { auditLog, type SystemContext } from '#shared/audit/audit.ts';
import { raiseAlertItems } from '#shared/alerts/alerts.ts';
import { outboxEvent, recordEvents } from '#shared/domain-events/outbox.ts';
import type { Jobs } from '#shared/jobs/runner.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { newId } from '#shared/platform/ids.ts';
import { transactWrite, TransactionConflict } from '#shared/table/store.ts';
import { visitEvent } from './event-types.ts';
import { extendVisitHorizon } from './from-final-grant.ts';
import { loadVisit, putVisitIfVersion, type MissedReason, type VisitRecord } from './model.ts';
import { noShowScheduleName, VISIT_NO_SHOW_JOB, VISIT_REMINDER_JOB } from './schedules.ts';
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

/**
 * At the window's end: a visit still `scheduled` (never started, so never completed) becomes
 * `missed`, and a `visit_missed` alert is raised in the same transaction. A check that fires
 * before the visit's current end (it was moved later) schedules itself again.
 */
export async function checkNoShow(
  deps: Deps,
  payload: Record<string, unknown>,
): Promise<{ outcome: 'missed' | 'not-missed' | 'rescheduled' }> {
  const { visitId } = noShowPayload.parse(payload);
  for (let round = 1; round <= 3; round += 1) {
    const visit = await loadVisit(deps.table, visitId);
    if (!visit || (visit.status !== 'scheduled' && visit.status !== 'in_progress')) return { outcome: 'not-missed' };
    const now = deps.clock.now();
    if (now.getTime() < new Date(visit.end).getTime()) {
      await deps.scheduler.scheduleOnce({
        name: noShowScheduleName(visitId),
        at: new Date(visit.end),
        job: VISIT_NO_SHOW_JOB,
        payload: { visitId },
      });
      return { outcome: 'rescheduled' };
    }
    const reason = noShowReason(visit);
    if (!reason) return { outcome: 'not-missed' };
    const sys: SystemContext = { system: 'visit-no-show-check', requestId: newId('job', now), now };
    const missed: VisitRecord = {
      ...visit,
      status: 'missed',
      missedAt: now.toISOString(),
      missedReason: reason,
      version: visit.version + 1,
      updatedAt: now.toISOString(),
    };
    const change = [
      putVisitIfVersion(deps.table, missed, visit.version),
      auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(sys, {
        action: 'visit.missed',
        resource: `visits/${visitId}`,
        citizenId: visit.citizenId,
      }),
    ];
    const missedEvent = (alertId?: string) =>
      outboxEvent(
        deps.table,
        visitEvent(
          'VisitMissed',
          missed,
          {
            missedAt: missed.missedAt,
            citizenJoined: reason !== 'citizen-no-show' && visit.citizenJoinedAt !== undefined,
            reason,
            ...(alertId ? { alertId } : {}),
          },
          now,
        ),
      );
    const alert = raiseAlertItems(deps, {
      kind: 'visit_missed',
      team: visit.team,
      citizenId: visit.citizenId,
      visitId,
      dedupKey: `visit_missed#${visitId}`,
      summary: `Screen visit ${visitId} (${visit.purpose.service}, ${toZonedIso(visit.start, deps.config.TIME_ZONE).slice(0, 16)}) was not held: ${reason === 'citizen-no-show' ? 'the citizen never joined' : visit.staffId ? 'the staff member never joined' : 'it had no staff member'}.`,
      details: { reason },
      occurredAt: new Date(visit.end),
      by: sys,
    });
    try {
      await transactWrite(deps.table, [...alert.items, ...change, missedEvent(alert.alertId)]);
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      if (error.reasons[0] !== 'ConditionalCheckFailed') continue; // the visit changed meanwhile: look again
      // The cause was already claimed (an earlier run that lost its visit write?): mark it missed alone.
      try {
        await transactWrite(deps.table, [...change, missedEvent()]);
      } catch (again) {
        if (again instanceof TransactionConflict) continue;
        throw again;
      }
    }
    return { outcome: 'missed' };
  }
  return { outcome: 'not-missed' };
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

export const visitJobs: Jobs = {
  [VISIT_REMINDER_JOB]: {
    description: 'One-time, before a visit: publishes VisitReminderDue if the visit is still scheduled then',
    run: remindVisit,
  },
  [VISIT_NO_SHOW_JOB]: {
    description: 'One-time, at a visit’s end: a visit never started becomes missed and raises a visit_missed alert',
    run: checkNoShow,
  },
  'extend-visit-horizon': {
    description:
      'Daily: plans final-grant visits up to VISIT_HORIZON_DAYS ahead and cancels those of superseded grants',
    every: 'rate(1 day)',
    run: (deps) => extendVisitHorizon(deps),
  },
};
