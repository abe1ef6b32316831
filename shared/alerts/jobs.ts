import type { Jobs } from '#shared/jobs/runner.ts';

/** The alerts capability's jobs; each job's code is imported when it runs (see ../dispensers/jobs.ts). */
export const alertJobs: Jobs = {
  'escalate-alerts': {
    description: 'Flag alerts nobody acknowledged in time for the lead (AlertEscalated)',
    every: 'rate(5 minutes)',
    run: async (deps) => (await import('./alerts.ts')).escalateUnacknowledgedAlerts(deps),
  },
};
