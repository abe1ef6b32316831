import { alertJobs } from '#shared/alerts/jobs.ts';
import { dispenserJobs } from '#shared/dispensers/jobs.ts';
import { jobsOf, runJobIn, type Jobs } from '#shared/jobs/runner.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { reconcileJobs } from '#shared/reconcile/jobs.ts';
import { tabletJobs } from '#shared/tablets/jobs.ts';
import { visitJobs } from '#shared/visits/jobs.ts';

/**
 * Every background job, from the capabilities' lists. Add the list here when a capability gains
 * jobs: the stack makes a schedule for each recurring one, and the job runner, `npm start` and
 * `npm run job` run them by name.
 */
export const jobs: Jobs = jobsOf(alertJobs, dispenserJobs, tabletJobs, visitJobs, reconcileJobs);

export function runJob(deps: Deps, name: string, payload: Record<string, unknown> = {}): Promise<unknown> {
  return runJobIn(jobs, deps, name, payload);
}
