import type { Consumption } from '#shared/domain-events/dispatch.ts';
import type { StreamHandler } from '#shared/domain-events/stream.ts';
import type { Jobs } from '#shared/jobs/runner.ts';
import { consumerLists } from './consumer-lists.ts';
import { jobLists } from './job-lists.ts';
import { streamHandlerLoaders } from './stream-handler-lists.ts';

/** Which list (./job-lists.ts, ./consumer-lists.ts, ./stream-handler-lists.ts) holds each job, each event type's consumers, each stream entity's handler. */
export interface HandlerTables {
  readonly jobs: Record<string, keyof typeof jobLists>;
  readonly consumers: Record<string, (keyof typeof consumerLists)[]>;
  readonly stream: Record<string, keyof typeof streamHandlerLoaders>;
}

/**
 * What the job runner, consumer and stream Lambdas need to load only the list
 * an invocation uses. Run as written, it loads every list. Bundling replaces this module by its
 * result (`handlerTablesAtBuildTime` in infra/bundling.ts), so a Lambda carries the tables as a
 * constant. Keep the export's name and shape: the replacement is `export const handlerTables = () => (<the tables>)`.
 */
export async function handlerTables(): Promise<HandlerTables> {
  const jobs: Record<string, keyof typeof jobLists> = {};
  for (const [list, load] of Object.entries(jobLists) as [keyof typeof jobLists, () => Promise<Jobs>][]) {
    for (const name of Object.keys(await load())) {
      if (jobs[name]) throw new Error(`Job ${name} registered twice`);
      jobs[name] = list;
    }
  }
  const consumers: Record<string, (keyof typeof consumerLists)[]> = {};
  for (const [list, load] of Object.entries(consumerLists) as [
    keyof typeof consumerLists,
    () => Promise<readonly Consumption[]>,
  ][])
    for (const { type } of await load())
      if (!consumers[type]?.includes(list)) consumers[type] = [...(consumers[type] ?? []), list];
  const stream: Record<string, keyof typeof streamHandlerLoaders> = {};
  for (const [key, load] of Object.entries(streamHandlerLoaders) as [
    keyof typeof streamHandlerLoaders,
    () => Promise<[string, StreamHandler]>,
  ][])
    stream[(await load())[0]] = key;
  return { jobs, consumers, stream };
}
