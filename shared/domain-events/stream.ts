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
 * Only INSERTs count: an item is a fact once, when it is first written.
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
}

export type StreamHandler = (deps: Deps, items: readonly Record<string, unknown>[]) => Promise<void>;

/** The handler of each stored entity the stream delivers (`shared/app/stream-registry.ts` lists them). */
export type StreamHandlers = Readonly<Record<string, StreamHandler>>;

/** Outbox items go to the event bus. */
export const publishOutboxItems: StreamHandler = async (deps, items) =>
  deps.events.publish(items.map(eventOfOutboxItem));

/** The entity of an INSERT a handler takes, else undefined. */
export function entityOf(handlers: StreamHandlers, record: StreamRecord): string | undefined {
  const entity = record.eventName === 'INSERT' ? record.newImage?.entity : undefined;
  return typeof entity === 'string' && handlers[entity] ? entity : undefined;
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
    let j = i;
    for (let next = records[j]; next && entityOf(handlers, next) === entity && next.newImage; next = records[++j])
      group.push(next.newImage);
    try {
      await handler(deps, group);
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
