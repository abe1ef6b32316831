import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '#shared/platform/deps.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { expiresAfterDays } from '#shared/table/store.ts';
import { removedBetween, type AvailabilityRules } from './availability-rules.ts';
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
 * A change that gives time back removes blocks in the buckets it adds.
 *
 * So bookings of different slots of one staff member touch no common item, and the only items
 * an availability change and a booking share are the locks of the time that is removed.
 * Blocks cover the next AVAILABILITY_GUARD_DAYS; a booking further ahead than that racing a
 * change in the same milliseconds is the one case left unguarded (documented).
 */
export const AVAILABILITY_GUARD_DAYS = 62;
const BUCKET_MS = SLOT_MINUTES * 60_000;
const PARALLEL = 16;

function bucketsOf(intervals: readonly (readonly [number, number])[]): string[] {
  const buckets: string[] = [];
  for (const [from, to] of intervals) {
    for (let t = Math.floor(from / BUCKET_MS) * BUCKET_MS; t < to; t += BUCKET_MS)
      buckets.push(new Date(t).toISOString());
  }
  return buckets;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

export interface AvailabilityChangeGuard {
  /** Blocks put in (only these are taken away if the change fails). */
  readonly blocked: readonly string[];
  /** Buckets the change gives back, whose blocks are removed after it commits. */
  readonly added: readonly string[];
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
  const to = new Date(now.getTime() + AVAILABILITY_GUARD_DAYS * 86_400_000);
  const zone = deps.config.TIME_ZONE;
  const removed = bucketsOf(removedBetween(before, after, now, to, zone));
  const added = bucketsOf(removedBetween(after, before, now, to, zone));
  const blocked: string[] = [];
  const nowSeconds = Math.floor(now.getTime() / 1000);
  await inParallel(removed, async (bucket) => {
    try {
      await deps.table.db.send(
        new PutCommand({
          TableName: deps.table.name,
          Item: {
            ...visitKeys.staffSlot(staffId, bucket),
            entity: 'SlotBlock',
            blockedBy: changeId,
            expiresAt: expiresAfterDays(1, new Date(Date.parse(bucket) + BUCKET_MS)),
          },
          // A visit's lock (or another change's block) already there: that time is taken either way.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      blocked.push(bucket);
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  });
  return { blocked, added };
}

/** After the change: its own blocks go if it failed; blocks in time given back go if it committed. */
export async function settleAvailabilityChange(
  deps: Deps,
  staffId: string,
  changeId: string,
  guard: AvailabilityChangeGuard,
  committed: boolean,
): Promise<void> {
  const release = async (bucket: string, condition: string, values?: Record<string, unknown>) => {
    try {
      await deps.table.db.send(
        new DeleteCommand({
          TableName: deps.table.name,
          Key: visitKeys.staffSlot(staffId, bucket),
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  };
  if (!committed)
    await inParallel(guard.blocked, (bucket) => release(bucket, 'blockedBy = :change', { ':change': changeId }));
  else await inParallel(guard.added, (bucket) => release(bucket, 'attribute_exists(blockedBy)'));
}
