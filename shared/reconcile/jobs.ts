import type { Jobs } from '#shared/jobs/runner.ts';

/** The daily reconciliation, as a job; its code is imported when it runs (see ../dispensers/jobs.ts). */
export const reconcileJobs: Jobs = {
  reconcile: {
    description:
      'Daily: repairs what a lost event delivery left undone (visit schedules, no-show checks, dose plans of final grants) and reports it',
    every: 'rate(1 day)',
    run: async (deps) => (await import('./reconcile.ts')).reconcile(deps),
  },
};
