import type { Deps } from '#shared/platform/deps.ts';
import {
  handleStreamRecordsWith,
  insertedEntities,
  modifiedEntities,
  type StreamHandlers,
  type StreamRecord,
} from '#shared/domain-events/stream.ts';
import { streamHandlerLoaders } from './stream-handler-lists.ts';

/**
 * What the table's stream delivers, by stored entity, for the local stream poller and the tests:
 * outbox items to the bus, and each entity a capability derives state from to its handler (all
 * of ./stream-handler-lists.ts `streamHandlerLoaders`, loaded here; the stream Lambda loads only those
 * of the entities in its batch).
 */
export const streamHandlers: StreamHandlers = Object.fromEntries(
  await Promise.all(Object.values(streamHandlerLoaders).map((load) => load())),
);

/** The entities whose INSERTs the stream delivers; the AWS event source mapping filters on the same list. */
export function streamEntities(): string[] {
  return insertedEntities(streamHandlers);
}

/** The entities whose MODIFYs the stream delivers (the mapping's second filter). */
export function streamModifiedEntities(): string[] {
  return modifiedEntities(streamHandlers);
}

export function handleStreamRecords(deps: Deps, records: readonly StreamRecord[]) {
  return handleStreamRecordsWith(streamHandlers, deps, records);
}
