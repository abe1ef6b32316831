import type { Deps } from '../platform/deps.ts';
import { UpstreamError } from '../platform/errors.ts';
import { logger } from '../platform/logger.ts';
import type { VisitRecord } from './model.ts';

/**
 * Each scheduled visit has two one-time jobs, named after it so that re-scheduling replaces
 * them: a reminder VISIT_REMINDER_MINUTES before start and a no-show check at the window's end.
 * On AWS they are EventBridge Scheduler one-time schedules that delete themselves after running.
 *
 * The jobs never trust their payload: they read the visit and act only on its current state
 * (a reminder for a visit that moved, or a check for one that was cancelled, does nothing; a
 * check that fires before a moved visit's new end schedules itself again). So a schedule that
 * could not be updated after a change delays or wastes a job, never marks the wrong visit.
 */
export const VISIT_REMINDER_JOB = 'visit-reminder';
export const VISIT_NO_SHOW_JOB = 'visit-no-show-check';
export const reminderScheduleName = (visitId: string) => `visit-reminder-${visitId}`;
export const noShowScheduleName = (visitId: string) => `visit-no-show-${visitId}`;

export async function scheduleVisitJobs(deps: Deps, visit: Pick<VisitRecord, 'visitId' | 'start' | 'end'>): Promise<void> {
  const remindAt = new Date(new Date(visit.start).getTime() - deps.config.VISIT_REMINDER_MINUTES * 60_000);
  try {
    if (remindAt.getTime() > deps.clock.now().getTime()) {
      await deps.scheduler.scheduleOnce({ name: reminderScheduleName(visit.visitId), at: remindAt, job: VISIT_REMINDER_JOB, payload: { visitId: visit.visitId, start: visit.start } });
    } else {
      await deps.scheduler.cancel(reminderScheduleName(visit.visitId));
    }
    await deps.scheduler.scheduleOnce({ name: noShowScheduleName(visit.visitId), at: new Date(visit.end), job: VISIT_NO_SHOW_JOB, payload: { visitId: visit.visitId } });
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    logger.error('visit schedules not written', { visitId: visit.visitId, error: error as Error });
    throw new UpstreamError('scheduler', 'The scheduler failed; nothing was booked. Try again.', 502);
  }
}

/** After a change has committed: a failure is logged, the jobs' own checks cover the gap. */
export async function rescheduleVisitJobsAfterCommit(deps: Deps, visit: Pick<VisitRecord, 'visitId' | 'start' | 'end'>): Promise<void> {
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
