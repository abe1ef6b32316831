import { isDeepStrictEqual } from 'node:util';
import type { StreamHandler, StreamRecord } from '#shared/domain-events/stream.ts';
import { logger } from '#shared/platform/logger.ts';
import { isLive, type Item, type Key } from '#shared/table/store.ts';
import { DEVICE_EVENT_ENTITY, restoreRawEvent } from './store.ts';

/**
 * First write wins for a raw device event, also for batches. A batch stores its new events with
 * one BatchWriteItem, which takes no condition (conditional alternatives cost the device path
 * half its speed): two batches carrying one new event id at the same moment both read it as
 * absent, and the later write replaces the earlier copy. The derivation was made from the INSERT,
 * the first copy; the stored copy must stay that one. The table's stream shows the replacement as
 * a MODIFY (nothing else ever changes a raw event), and this handler puts the first copy back.
 *
 * Read → decide → write: the first copy (the old image of the event's first MODIFY, kept beside
 * it by the repository), then `restorationOf` (pure), then a put conditioned on the stored item
 * still being the MODIFY's new image.
 */

/** Which post stored a copy and when; the rest of the item is the event. */
const RECEIPT = new Set(['receivedAt', 'requestId']);

export interface Restoration {
  /** The first copy, to be stored again. */
  readonly item: Item & Key;
  /** What the overwrite changed: the event itself, or only which post stored it and when. */
  readonly overwrite: 'content' | 'receipt';
}

export interface Overwrite {
  /** The copy that was stored before this write: the first one, unless a MODIFY before this one said otherwise. */
  readonly first: Item & Key;
  /** What the write stored. */
  readonly current: Item & Key;
}

/** A MODIFY of a raw device event with both images; anything else is not this guard's. */
export function overwriteOf(record: StreamRecord, now: Date): Overwrite | undefined {
  const { oldImage, newImage } = record;
  if (record.eventName !== 'MODIFY' || !oldImage || !newImage) return undefined;
  if (oldImage.entity !== DEVICE_EVENT_ENTITY || newImage.entity !== DEVICE_EVENT_ENTITY) return undefined;
  // An expired copy is no longer the event (a post reads it as absent): the new write begins the id anew.
  const first = isLive(oldImage, now) ? oldImage : newImage;
  return { first: first as Item & Key, current: newImage as Item & Key };
}

/**
 * What to store again when `current` replaced the event's `first` copy: the first copy, whenever
 * anything differs. A different content is the defect this guards against. A copy of the same
 * content from another post is harmless to derived state, but it is put back as well: the first
 * copy's `receivedAt` and `requestId` are those the derivation used (the contact time, and the
 * audit record of device data, keyed by the post), so the stored event keeps naming the post that
 * has that audit record. Undefined when nothing is to be done (the put-back's own MODIFY).
 */
export function restorationOf(first: Item, current: Item): Restoration | undefined {
  const attributes = [...new Set([...Object.keys(first), ...Object.keys(current)])];
  const changed = attributes.filter((a) => !isDeepStrictEqual(first[a], current[a]));
  if (changed.length === 0) return undefined;
  return { item: first as Item & Key, overwrite: changed.some((a) => !RECEIPT.has(a)) ? 'content' : 'receipt' };
}

/** The stream handler of MODIFYs of raw device events, in stream order (one event's records are in order). */
export const keepFirstRawEvents: StreamHandler = async (deps, _items, records) => {
  for (const record of records) {
    const now = deps.clock.now();
    const overwrite = overwriteOf(record, now);
    if (!overwrite) continue;
    const restored = await restoreRawEvent(deps.table, { ...overwrite, now }, restorationOf);
    if (!restored) continue;
    // Ids only: the event's details and citizen are personal data.
    const ids = {
      dispenserId: restored.item.dispenserId,
      eventId: restored.item.eventId,
      overwrittenBy: overwrite.current.requestId,
    };
    if (restored.overwrite === 'content')
      logger.warn('a batch replaced a stored device event with a different one; the first copy is stored again', ids);
    else logger.info('a batch stored a device event again; the first copy’s receipt is kept', ids);
  }
};
