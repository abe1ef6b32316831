/**
 * Imports every capability's job module so that `jobs` in ./registry.ts is complete.
 * Add a line here when a capability gains jobs.
 */
import '#shared/alerts/jobs.ts';
import '#shared/dispensers/jobs.ts';
import '#shared/visits/jobs.ts';
import '#shared/reconcile/reconcile.ts';
export { jobs, runJob } from '#shared/jobs/runner.ts';
