import type { Deps } from '#shared/platform/deps.ts';
import { asFunction } from '#shared/table/table-access.ts';

/**
 * Every background job, by name. The same table drives three runners: EventBridge Scheduler on
 * AWS (the recurring ones get a schedule in the CDK stack from `every`; one-time ones are made
 * by the domain through `Scheduler`), the in-process scheduler of `npm start`, and
 * `npm run job -- <name>`. Capabilities export their jobs; `shared/app/job-registry.ts` lists them.
 */
export interface JobDefinition {
  readonly description: string;
  /** For recurring jobs: an EventBridge Scheduler rate expression, e.g. `rate(5 minutes)`. */
  readonly every?: `rate(${number} ${'minute' | 'minutes' | 'hour' | 'hours' | 'day' | 'days'})`;
  readonly run: (deps: Deps, payload: Record<string, unknown>) => Promise<unknown>;
}

export type Jobs = Readonly<Record<string, JobDefinition>>;

/** One table of the capabilities' jobs; a name used twice is a mistake, caught when the table is built. */
export function jobsOf(...lists: readonly Jobs[]): Jobs {
  const all: Record<string, JobDefinition> = {};
  for (const list of lists)
    for (const [name, definition] of Object.entries(list)) {
      if (all[name]) throw new Error(`Job ${name} registered twice`);
      all[name] = definition;
    }
  return all;
}

export class UnknownJobError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`Unknown job "${name}". Known jobs: ${[...known].sort().join(', ') || '(none)'}`);
  }
}

export async function runJobIn(
  jobs: Jobs,
  deps: Deps,
  name: string,
  payload: Record<string, unknown> = {},
): Promise<unknown> {
  const definition = jobs[name];
  if (!definition) throw new UnknownJobError(name, Object.keys(jobs));
  // On AWS every job runs in the job runner: its table grant, checked locally by the guard.
  return asFunction('JobRunner', () => definition.run(deps, payload));
}
