import type { Deps } from '#shared/platform/deps.ts';
import { logger } from '#shared/platform/logger.ts';
import { eventOfOutboxItem } from './outbox.ts';

/**
 * What leaves the table through its stream, on AWS (functions/events/table-stream.ts, fed by an
 * event source mapping) and locally (LocalStreamPoller) alike:
 *  - outbox items (`OutboxEvent`) go to the event bus, whose consumers do the side effects;
 *  - other entities whose derived state is made from what was stored (device events: adherence,
 *    alerts, last contact, the audit of device data) go to the handler their capability
 *    exports.
 * INSERTs count: an item is a fact once, when it is first written. An entity whose stored items
 * must never change (raw device events, written without a condition) may also take its MODIFYs,
 * under the key `modifiesOf(entity)`, to put the first copy back; REMOVEs (TTL) reach nothing.
 *
 * Records are handled in stream order, consecutive records of one entity together. A handler
 * that fails stops the batch there: the caller retries from that record (AWS: the event source
 * mapping with bisect-on-error and a DLQ; locally: the next poll), so nothing after a failure
 * is skipped and every handler must be idempotent.
 */
export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage?: Record<string, unknown> | undefined;
  /** The item before a MODIFY or REMOVE (the stream carries NEW_AND_OLD_IMAGES). */
  readonly oldImage?: Record<string, unknown> | undefined;
}

/** Takes the new images of a run of records of one entity; `records` are those records, old images included. */
export type StreamHandler = (
  deps: Deps,
  items: readonly Record<string, unknown>[],
  records: readonly StreamRecord[],
) => Promise<void>;

/**
 * The handler of each stored entity the stream delivers (`shared/app/stream-registry.ts` lists
 * them): its INSERTs under the entity's name, its MODIFYs (if it takes them) under `modifiesOf`.
 */
export type StreamHandlers = Readonly<Record<string, StreamHandler>>;

const MODIFY_SUFFIX = '#MODIFY';

/** The key in `StreamHandlers` of the handler of an entity's MODIFYs. */
export const modifiesOf = (entity: string): string => `${entity}${MODIFY_SUFFIX}`;

/** The entities whose INSERTs reach a handler. */
export const insertedEntities = (handlers: StreamHandlers): string[] =>
  Object.keys(handlers).filter((key) => !key.endsWith(MODIFY_SUFFIX));

/** The entities whose MODIFYs reach a handler. */
export const modifiedEntities = (handlers: StreamHandlers): string[] =>
  Object.keys(handlers)
    .filter((key) => key.endsWith(MODIFY_SUFFIX))
    .map((key) => key.slice(0, -MODIFY_SUFFIX.length));

/** Outbox items go to the event bus. */
export const publishOutboxItems: StreamHandler = async (deps, items) =>
  deps.events.publish(items.map(eventOfOutboxItem));

/** The key of the handler that takes `record` (its entity for an INSERT, `modifiesOf` it for a MODIFY), else undefined. */
export function entityOf(handlers: StreamHandlers, record: StreamRecord): string | undefined {
  const entity = record.newImage?.entity;
  if (typeof entity !== 'string') return undefined;
  const key = record.eventName === 'INSERT' ? entity : record.eventName === 'MODIFY' ? modifiesOf(entity) : undefined;
  return key && handlers[key] ? key : undefined;
}

/**
 * Handles `records` in order. Returns the sequence number of the first record not handled
 * (its handler failed), or undefined when all were.
 */
export async function handleStreamRecordsWith(
  handlers: StreamHandlers,
  deps: Deps,
  records: readonly StreamRecord[],
): Promise<{ failedAt?: string; error?: unknown }> {
  let i = 0;
  while (i < records.length) {
    const first = records[i] as StreamRecord;
    const entity = entityOf(handlers, first);
    const handler = entity ? handlers[entity] : undefined;
    if (!entity || !handler) {
      i += 1;
      continue;
    }
    const group: Record<string, unknown>[] = [];
    const run: StreamRecord[] = [];
    let j = i;
    for (let next = records[j]; next && entityOf(handlers, next) === entity && next.newImage; next = records[++j]) {
      group.push(next.newImage);
      run.push(next);
    }
    try {
      await handler(deps, group, run);
    } catch (error) {
      logger.error('stream records not handled; they will be retried', {
        entity,
        count: group.length,
        error: error as Error,
      });
      return { failedAt: first.sequenceNumber, error };
    }
    i = j;
  }
  return {};
}
