import type { Jobs } from '#shared/jobs/runner.ts';
import { escalateUnacknowledgedAlerts } from './alerts.ts';

export const alertJobs: Jobs = {
  'escalate-alerts': {
    description: 'Flag alerts nobody acknowledged in time for the lead (AlertEscalated)',
    every: 'rate(5 minutes)',
    run: (deps) => escalateUnacknowledgedAlerts(deps),
  },
};
