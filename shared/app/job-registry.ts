import { jobsOf, runJobIn, type Jobs } from '#shared/jobs/runner.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { jobLists } from './job-lists.ts';

/**
 * Every background job, from the capabilities' lists (./job-lists.ts `jobLists`, all loaded
 * here): the stack makes a schedule for each recurring one, and `npm start` and `npm run job` run
 * them by name. The job runner Lambda loads only the list of the job it runs (`runJobLazily`).
 */
export const jobs: Jobs = jobsOf(...(await Promise.all(Object.values(jobLists).map((load) => load()))));

export function runJob(deps: Deps, name: string, payload: Record<string, unknown> = {}): Promise<unknown> {
  return runJobIn(jobs, deps, name, payload);
}
