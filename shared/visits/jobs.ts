import type { Jobs } from '#shared/jobs/runner.ts';
import { VISIT_NO_SHOW_JOB, VISIT_REMINDER_JOB } from './job-names.ts';

/**
 * The visits capability's jobs. Each job's code is imported when it runs: the job runner Lambda
 * holds every job of the service, and an invocation runs one (bench/README.md, "Cold start,
 * fourth pass").
 */
export const visitJobs: Jobs = {
  [VISIT_REMINDER_JOB]: {
    description: 'One-time, before a visit: publishes VisitReminderDue if the visit is still scheduled then',
    run: async (deps, payload) => (await import('./reminders-and-no-shows.ts')).remindVisit(deps, payload),
  },
  [VISIT_NO_SHOW_JOB]: {
    description: 'One-time, at a visit’s end: a visit never started becomes missed and raises a visit_missed alert',
    run: async (deps, payload) => (await import('./reminders-and-no-shows.ts')).checkNoShow(deps, payload),
  },
  'extend-visit-horizon': {
    description:
      'Daily: plans final-grant visits up to VISIT_HORIZON_DAYS ahead and cancels those of superseded grants',
    every: 'rate(1 day)',
    run: async (deps) => (await import('./from-final-grant.ts')).extendVisitHorizon(deps),
  },
};
