import { describe, expect, it } from 'vitest';
import { consumerLists, consumeLazily } from '#shared/app/consumer-lists.ts';
import { consumers } from '#shared/app/event-registry.ts';
import { handlerTables } from '#shared/app/handler-tables.ts';
import { jobLists, runJobLazily } from '#shared/app/job-lists.ts';
import { jobs, runJob } from '#shared/app/job-registry.ts';
import { streamHandlerLoaders } from '#shared/app/stream-handler-lists.ts';
import { streamHandlers } from '#shared/app/stream-registry.ts';
import { consumersByType } from '#shared/domain-events/dispatch.ts';
import type { Deps } from '#shared/platform/deps.ts';

/**
 * The job runner, consumer and stream Lambdas load only the list an invocation needs, found in
 * tables built when they are bundled. These hold the tables to the registries that `npm start`,
 * the tests and the stack use: the same jobs, the same consumers in the same order, the same
 * stream handlers, so a Lambda can neither miss one nor run one twice.
 */
describe('the tables the job, consumer and stream Lambdas load by', () => {
  it('name every job once, in the list that defines it', async () => {
    const tables = await handlerTables();
    expect(Object.keys(tables.jobs).sort()).toEqual(Object.keys(jobs).sort());
    for (const [name, list] of Object.entries(tables.jobs)) expect((await jobLists[list]())[name]).toBe(jobs[name]);
  });

  it('give each event type exactly its consumers, in the registry’s order', async () => {
    const tables = await handlerTables();
    expect(Object.keys(tables.consumers).sort()).toEqual(Object.keys(consumers).sort());
    for (const [type, lists] of Object.entries(tables.consumers)) {
      const loaded = (await Promise.all(lists.map((list) => consumerLists[list]()))).flat();
      expect(consumersByType(loaded)[type], type).toEqual(consumers[type]);
    }
  });

  it('give each stream entity its handler, and nothing else', async () => {
    const tables = await handlerTables();
    expect(Object.keys(tables.stream).sort()).toEqual(Object.keys(streamHandlers).sort());
    for (const [entity, key] of Object.entries(tables.stream))
      expect(await streamHandlerLoaders[key]()).toEqual([entity, streamHandlers[entity]]);
  });

  it('refuse an unknown job and ignore an unknown event type or entity as the registries do', async () => {
    const deps = {} as Deps;
    const known = await runJob(deps, 'no-such-job').catch((error: unknown) => error);
    await expect(runJobLazily(deps, 'no-such-job')).rejects.toThrow((known as Error).message);
    await expect(runJobLazily(deps, 'toString')).rejects.toThrow(/Unknown job "toString"/);
    await expect(
      consumeLazily(deps, { id: 'e1', type: 'NothingConsumesThis', occurredAt: '2026-01-01T00:00:00Z', detail: {} }),
    ).resolves.toBeUndefined();
  });
});
