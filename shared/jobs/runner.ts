import type { Deps } from '#shared/platform/deps.ts';
import { asFunction } from '#shared/table/table-access.ts';

/**
 * Every background job, by name. The same table drives three runners: EventBridge Scheduler on
 * AWS (the recurring ones get a schedule in the CDK stack from `every`; one-time ones are made
 * by the domain through `Scheduler`), the in-process scheduler of `npm start`, and
 * `npm run job -- <name>`.
 */
export interface JobDefinition {
  readonly description: string;
  /** For recurring jobs: an EventBridge Scheduler rate expression, e.g. `rate(5 minutes)`. */
  readonly every?: `rate(${number} ${'minute' | 'minutes' | 'hour' | 'hours' | 'day' | 'days'})`;
  readonly run: (deps: Deps, payload: Record<string, unknown>) => Promise<unknown>;
}

export const jobs: Record<string, JobDefinition> = {};

/** Capabilities register their jobs here (see shared/app/job-registry.ts, which imports them all). */
export function registerJobs(definitions: Record<string, JobDefinition>): void {
  for (const [name, definition] of Object.entries(definitions)) {
    if (jobs[name]) throw new Error(`Job ${name} registered twice`);
    jobs[name] = definition;
  }
}

export class UnknownJobError extends Error {
  constructor(name: string) {
    super(`Unknown job "${name}". Known jobs: ${Object.keys(jobs).sort().join(', ') || '(none)'}`);
  }
}

export async function runJob(deps: Deps, name: string, payload: Record<string, unknown> = {}): Promise<unknown> {
  const definition = jobs[name];
  if (!definition) throw new UnknownJobError(name);
  // On AWS every job runs in the job runner: its table grant, checked locally by the guard.
  return asFunction('JobRunner', () => definition.run(deps, payload));
}
