import { isDeepStrictEqual } from 'node:util';
import type { StreamHandler, StreamRecord } from '#shared/domain-events/stream.ts';
import { logger } from '#shared/platform/logger.ts';
import { isLive, type Item, type Key } from '#shared/table/store.ts';
import { DEVICE_EVENT_ENTITY } from './device-event-entity.ts';
import { restoreRawEvent } from './store.ts';

/**
 * First write wins for a raw device event, also for batches. A batch stores its new events with
 * one BatchWriteItem, which takes no condition (conditional alternatives cost the device path
 * half its speed): two batches carrying one new event id at the same moment both read it as
 * absent, and the later write replaces the earlier copy. The derivation was made from the INSERT,
 * the first copy; the stored copy must stay that one. The table's stream shows the replacement as
 * a MODIFY, and this handler stores the first copy again.
 *
 * Two kinds of MODIFY change a raw event. A post's write replaces the whole item with that post's
 * copy: its receipt (`requestId`, unique per request, and `receivedAt`) differs — an overwrite.
 * The derivation's review of a decision made on a cached dispenser item updates the stored event
 * (`refused`, or the citizen and dose it is placed on) and keeps the receipt — a change that
 * stands. When such a change lands on a copy that replaced the first one, it is carried over to
 * the first copy, which is what gets stored again.
 *
 * Read → decide → write: the first copy as remembered beside the event (after its first
 * overwrite), then `decideGuard` (pure), then the repository's writes (`restoreRawEvent`).
 */

/** Which post stored a copy and when; the rest of the item is the event. */
const RECEIPT = ['receivedAt', 'requestId'] as const;

export interface RawEventChange {
  readonly oldImage: Item & Key;
  readonly newImage: Item & Key;
}

export interface Restoration {
  /** The first copy, to be stored again. */
  readonly item: Item & Key;
  /** What differs from it now: the event itself, or only which post stored it and when. */
  readonly overwrite: 'content' | 'receipt';
}

export interface GuardDecision {
  /** The first copy to remember from now on, when that changes. */
  readonly keep?: Item & Key;
  readonly restoration?: Restoration;
}

/** A MODIFY of a raw device event with both images; anything else is not this guard's. */
export function changeOf(record: StreamRecord): RawEventChange | undefined {
  const { oldImage, newImage } = record;
  if (record.eventName !== 'MODIFY' || !oldImage || !newImage) return undefined;
  if (oldImage.entity !== DEVICE_EVENT_ENTITY || newImage.entity !== DEVICE_EVENT_ENTITY) return undefined;
  return { oldImage: oldImage as Item & Key, newImage: newImage as Item & Key };
}

/** Another post's write: a different receipt. */
export const isOverwrite = ({ oldImage, newImage }: RawEventChange): boolean =>
  RECEIPT.some((a) => !isDeepStrictEqual(oldImage[a], newImage[a]));

/** `base` with what `change` changed (set, or removed). */
export function withChange(base: Item & Key, { oldImage, newImage }: RawEventChange): Item & Key {
  const result: Item = { ...base };
  for (const a of new Set([...Object.keys(oldImage), ...Object.keys(newImage)])) {
    if (isDeepStrictEqual(oldImage[a], newImage[a])) continue;
    if (a in newImage) result[a] = newImage[a];
    else delete result[a];
  }
  return result as Item & Key;
}

/**
 * What to store again when `current` is stored and `first` should be: the first copy, whenever
 * anything differs. A different content is the defect this guards against. A copy of the same
 * content from another post is harmless to derived state, but it is stored again as well: the
 * first copy's `receivedAt` and `requestId` are those the derivation used (the contact time, and
 * the audit record of device data, keyed by the post), so the stored event keeps naming the post
 * that has that audit record. Undefined when they are the same (the put-back's own MODIFY).
 */
export function restorationOf(first: Item & Key, current: Item): Restoration | undefined {
  const attributes = [...new Set([...Object.keys(first), ...Object.keys(current)])];
  const changed = attributes.filter((a) => !isDeepStrictEqual(first[a], current[a]));
  if (changed.length === 0) return undefined;
  const receiptOnly = changed.every((a) => (RECEIPT as readonly string[]).includes(a));
  return { item: first, overwrite: receiptOnly ? 'receipt' : 'content' };
}

/**
 * The rule, given the first copy remembered so far (`kept`, undefined until the event's first
 * overwrite) and a MODIFY. An overwrite: the first copy is the one kept, else the MODIFY's old
 * image (the first overwrite in stream order replaced the first copy), and it is stored again.
 * A change that keeps the receipt stands; after an overwrite it is carried over to the first
 * copy. A write over an expired copy (a post reads it as absent) begins the id anew.
 */
export function decideGuard(kept: Item | undefined, change: RawEventChange, now: Date): GuardDecision {
  if (!isLive(change.oldImage, now)) return {};
  const known = kept && isLive(kept, now) ? (kept as Item & Key) : undefined;
  let first: Item & Key;
  if (isOverwrite(change)) first = known ?? change.oldImage;
  else if (known) first = withChange(known, change);
  else return {};
  const restoration = restorationOf(first, change.newImage);
  return {
    ...(known && isDeepStrictEqual(first, known) ? {} : { keep: first }),
    ...(restoration ? { restoration } : {}),
  };
}

/** The stream handler of MODIFYs of raw device events, in stream order (one event's records are in order). */
export const keepFirstRawEvents: StreamHandler = async (deps, _items, records) => {
  for (const record of records) {
    const change = changeOf(record);
    if (!change) continue;
    const now = deps.clock.now();
    const { restoration, restored } = await restoreRawEvent(deps.table, change, (kept) =>
      decideGuard(kept, change, now),
    );
    if (!restoration || !restored) continue;
    // Ids only: the event's details and citizen are personal data.
    const ids = {
      dispenserId: restoration.item.dispenserId,
      eventId: restoration.item.eventId,
      overwrittenBy: change.newImage.requestId,
    };
    if (restoration.overwrite === 'content')
      logger.warn('a batch replaced a stored device event with a different one; the first copy is stored again', ids);
    else logger.info('a batch stored a device event again; the first copy’s receipt is kept', ids);
  }
};
