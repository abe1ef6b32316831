import { DateTime } from 'luxon';
import type { Deps } from '#shared/platform/deps.ts';
import { UpstreamError } from '#shared/platform/errors.ts';
import { logger } from '#shared/platform/logger.ts';
import type { VisitRecord } from './model.ts';
import { loadVisit, noteSchedulesFor } from './visit-store.ts';
import { VISIT_NO_SHOW_JOB, VISIT_REMINDER_JOB } from './job-names.ts';

/**
 * Each scheduled visit has two one-time jobs, named after it so that re-scheduling replaces
 * them: a reminder VISIT_REMINDER_MINUTES before start and a no-show check at the window's end.
 * On AWS they are EventBridge Scheduler one-time schedules that delete themselves after running.
 *
 * The jobs never trust their payload: they read the visit and act only on its current state
 * (a reminder for a visit that moved, or a check for one that was cancelled, does nothing; a
 * check that fires before a moved visit's new end schedules itself again). So a schedule that
 * could not be updated after a change delays or wastes a job, never marks the wrong visit.
 *
 * They are made by the consumer of the visit's committed events (`syncVisitSchedules`), never
 * by the request: the consumer reads the visit and makes its schedules match its current state,
 * so a second delivery, or an old event delivered late, changes nothing. It then notes on the
 * visit which times it scheduled (`schedulesFor`), which the daily reconciliation checks.
 */
export const reminderScheduleName = (visitId: string) => `visit-reminder-${visitId}`;
export const noShowScheduleName = (visitId: string) => `visit-no-show-${visitId}`;

export async function scheduleVisitJobs(
  deps: Deps,
  visit: Pick<VisitRecord, 'visitId' | 'start' | 'end'>,
): Promise<void> {
  const remindAt = DateTime.fromISO(visit.start).minus({ minutes: deps.config.VISIT_REMINDER_MINUTES }).toJSDate();
  try {
    if (remindAt.getTime() > deps.clock.now().getTime()) {
      await deps.scheduler.scheduleOnce({
        name: reminderScheduleName(visit.visitId),
        at: remindAt,
        job: VISIT_REMINDER_JOB,
        payload: { visitId: visit.visitId, start: visit.start },
      });
    } else {
      await deps.scheduler.cancel(reminderScheduleName(visit.visitId));
    }
    await deps.scheduler.scheduleOnce({
      name: noShowScheduleName(visit.visitId),
      at: new Date(visit.end),
      job: VISIT_NO_SHOW_JOB,
      payload: { visitId: visit.visitId },
    });
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    logger.error('visit schedules not written', { visitId: visit.visitId, error: error as Error });
    throw new UpstreamError('scheduler', 'The scheduler failed; nothing was booked. Try again.', 502);
  }
}

/** After a change has committed: a failure is logged, the jobs' own checks cover the gap. */
export async function rescheduleVisitJobsAfterCommit(
  deps: Deps,
  visit: Pick<VisitRecord, 'visitId' | 'start' | 'end'>,
): Promise<void> {
  try {
    await scheduleVisitJobs(deps, visit);
  } catch (error) {
    logger.error('visit schedules not updated after a change', { visitId: visit.visitId, error: error as Error });
  }
}

export async function cancelVisitJobs(deps: Deps, visitId: string): Promise<void> {
  try {
    await deps.scheduler.cancel(reminderScheduleName(visitId));
    await deps.scheduler.cancel(noShowScheduleName(visitId));
  } catch (error) {
    logger.error('visit schedules not cancelled', { visitId, error: error as Error });
  }
}

export const schedulesForOf = (visit: Pick<VisitRecord, 'start' | 'end'>) => `${visit.start}|${visit.end}`;

/**
 * The schedules of a visit, made to match what the visit is now: a scheduled visit gets its
 * reminder and no-show check at its current times (replacing any older ones), a started one its
 * no-show check only (the attendance decides who did not show), any other has none. A failure throws, so the delivery is retried.
 */
export async function syncVisitSchedules(deps: Deps, visitId: string): Promise<'scheduled' | 'cleared' | 'unknown'> {
  const visit = await loadVisit(deps.table, visitId);
  if (!visit) return 'unknown';
  if (visit.status === 'in_progress') {
    // Started: no reminder any more, but the no-show check stays (the citizen may never join).
    await deps.scheduler.cancel(reminderScheduleName(visitId));
    await deps.scheduler.scheduleOnce({
      name: noShowScheduleName(visitId),
      at: new Date(visit.end),
      job: VISIT_NO_SHOW_JOB,
      payload: { visitId },
    });
    return 'scheduled';
  }
  if (visit.status !== 'scheduled') {
    await deps.scheduler.cancel(reminderScheduleName(visitId));
    await deps.scheduler.cancel(noShowScheduleName(visitId));
    return 'cleared';
  }
  await scheduleVisitJobs(deps, visit);
  await noteSchedulesFor(deps.table, visit, schedulesForOf(visit));
  return 'scheduled';
}
