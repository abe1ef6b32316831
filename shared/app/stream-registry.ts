import type { Deps } from '#shared/platform/deps.ts';
import { DEVICE_EVENT_ENTITY } from '#shared/dispensers/device-event-entity.ts';
import { OUTBOX_ENTITY } from '#shared/domain-events/outbox.ts';
import {
  handleStreamRecordsWith,
  insertedEntities,
  modifiedEntities,
  modifiesOf,
  publishOutboxItems,
  type StreamHandlers,
  type StreamRecord,
} from '#shared/domain-events/stream.ts';

/**
 * What the table's stream delivers, by stored entity, for the stream Lambda and the local stream
 * poller alike: outbox items to the bus, and each entity a capability derives state from to its
 * handler. Add a line here when a capability derives state from the stream. MODIFYs reach a
 * handler only under `modifiesOf(entity)`: raw device events, whose first copy a batch may replace.
 * A capability's handler imports its code when a batch first holds its entity: a batch of outbox
 * items alone (most writes) never loads the dispensers' derivation.
 */
export const streamHandlers: StreamHandlers = {
  [OUTBOX_ENTITY]: publishOutboxItems,
  [DEVICE_EVENT_ENTITY]: async (deps, items) =>
    (await import('#shared/dispensers/derive.ts')).deriveFromDeviceEvents(deps, items),
  [modifiesOf(DEVICE_EVENT_ENTITY)]: async (deps, items, records) =>
    (await import('#shared/dispensers/raw-event-guard.ts')).keepFirstRawEvents(deps, items, records),
};

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
