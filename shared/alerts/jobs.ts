import { registerJobs } from '#shared/jobs/runner.ts';
import { escalateUnacknowledgedAlerts } from './alerts.ts';

registerJobs({
  'escalate-alerts': {
    description: 'Flag alerts nobody acknowledged in time for the lead (AlertEscalated)',
    every: 'rate(5 minutes)',
    run: (deps) => escalateUnacknowledgedAlerts(deps),
  },
});
