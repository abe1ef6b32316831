import { DateTime, Duration } from 'luxon';
import type { Deps } from '#shared/platform/deps.ts';
import { blockStaffSlots, heldStaffBuckets, unblockStaffSlots } from './availability-store.ts';
import { availableBetween, removedBetween, type AvailabilityRules } from './availability-rules.ts';
import { SLOT_MINUTES } from './time.ts';

/**
 * The guard between a booking and a change of availability, without a shared item every booking
 * reads. A booking checks the staff member's availability as read, then commits its slot locks
 * (one item per staff member and 5-minute bucket). A change that takes time away first puts a
 * block into each free staff lock of the buckets it removes (`SlotBlock`, the same key a
 * booking's lock has), then commits the new availability: a booking that read the old
 * availability and commits after the blocks went in finds its lock taken and is refused
 * (409 availability-changed); one that committed before keeps its visit, as a visit booked
 * before a change always has. If the change itself fails, its blocks are taken away again.
 * A change that commits removes every block in the time it makes available: blocks of time it
 * gives back, and blocks a change that died before its commit left behind (nothing else would
 * ever take those away, and they would refuse bookings in available time).
 *
 * So bookings of different slots of one staff member touch no common item, and the only items
 * an availability change and a booking share are the locks of the time that is removed.
 * Blocks cover the next AVAILABILITY_GUARD_DAYS; a booking further ahead than that racing a
 * change in the same milliseconds is the one case left unguarded (documented).
 */
export const AVAILABILITY_GUARD_DAYS = 62;
const BUCKET_MS = Duration.fromObject({ minutes: SLOT_MINUTES }).toMillis();

function bucketsOf(intervals: readonly (readonly [number, number])[]): string[] {
  const buckets: string[] = [];
  for (const [from, to] of intervals) {
    for (let t = Math.floor(from / BUCKET_MS) * BUCKET_MS; t < to; t += BUCKET_MS)
      buckets.push(new Date(t).toISOString());
  }
  return buckets;
}

export interface AvailabilityChangeGuard {
  /** Blocks put in (only these are taken away if the change fails). */
  readonly blocked: readonly string[];
  /** Buckets the new availability offers, whose blocks are removed after it commits. */
  readonly available: readonly string[];
}

/** Puts the blocks of the time `after` removes from `before`, before the change commits. */
export async function blockRemovedTime(
  deps: Deps,
  staffId: string,
  changeId: string,
  before: AvailabilityRules,
  after: AvailabilityRules,
): Promise<AvailabilityChangeGuard> {
  const now = deps.clock.now();
  const to = DateTime.fromJSDate(now, { zone: 'utc' }).plus({ days: AVAILABILITY_GUARD_DAYS }).toJSDate();
  const zone = deps.config.TIME_ZONE;
  const removed = bucketsOf(removedBetween(before, after, now, to, zone));
  const available = bucketsOf(availableBetween(after, now, to, zone));
  if (removed.length === 0) return { blocked: [], available };
  const held = await heldStaffBuckets(deps.table, staffId, removed[0] as string, removed.at(-1) as string, now);
  const free = removed
    .filter((bucket) => !held.has(bucket))
    .map((bucket) => ({ bucket, end: new Date(Date.parse(bucket) + BUCKET_MS) }));
  const blocked = await blockStaffSlots(deps.table, staffId, free, changeId, now);
  return { blocked, available };
}

/** After the change: its own blocks go if it failed; every block in the time it offers goes if it committed. */
export async function settleAvailabilityChange(
  deps: Deps,
  staffId: string,
  changeId: string,
  guard: AvailabilityChangeGuard,
  committed: boolean,
): Promise<void> {
  if (!committed) {
    await unblockStaffSlots(deps.table, staffId, guard.blocked, { ownBlock: changeId });
    return;
  }
  if (guard.available.length === 0) return;
  const [first, last] = [guard.available[0] as string, guard.available.at(-1) as string];
  const held = await heldStaffBuckets(deps.table, staffId, first, last, deps.clock.now());
  const blocks = guard.available.filter((bucket) => held.get(bucket)?.blockedBy !== undefined);
  await unblockStaffSlots(deps.table, staffId, blocks, { anyBlock: true });
}
