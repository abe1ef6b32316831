import { runJobIn, UnknownJobError, type Jobs } from '#shared/jobs/runner.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { handlerTables } from './handler-tables.ts';

/**
 * The capabilities' jobs, each list behind a lazy loader. ./job-registry.ts loads them all for
 * `npm start`, `npm run job`, the tests and infra/; the job runner Lambda (`runJobLazily`) loads
 * only the list of the job it runs, so a container compiles only the jobs it is sent. Add a line
 * here when a capability gains jobs.
 */
export const jobLists = {
  alerts: async () => (await import('#shared/alerts/jobs.ts')).alertJobs,
  dispensers: async () => (await import('#shared/dispensers/jobs.ts')).dispenserJobs,
  tablets: async () => (await import('#shared/tablets/jobs.ts')).tabletJobs,
  visits: async () => (await import('#shared/visits/jobs.ts')).visitJobs,
  reconcile: async () => (await import('#shared/reconcile/reconcile.ts')).reconcileJobs,
} satisfies Record<string, () => Promise<Jobs>>;

/** `runJob` of ./job-registry.ts, loading only the list that holds the job (./handler-tables.ts says which). */
export async function runJobLazily(deps: Deps, name: string, payload: Record<string, unknown> = {}): Promise<unknown> {
  const { jobs } = await handlerTables();
  const list = Object.hasOwn(jobs, name) ? jobs[name] : undefined;
  if (!list) throw new UnknownJobError(name, Object.keys(jobs));
  return runJobIn(await jobLists[list](), deps, name, payload);
}
