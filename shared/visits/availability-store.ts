import { staffKeys, visitKeys } from '#shared/table/keys.ts';
import {
  expiresAfterDays,
  getItem,
  putNew,
  queryAll,
  transactNamed,
  transactWrite,
  TransactionConflict,
  type Item,
  type Page,
  queryPage,
  type Table,
  type TransactItem,
  writeEachConditionally,
} from '#shared/table/store.ts';
import type { AvailabilityException, AvailabilityRules, WeeklyWindow } from './availability-rules.ts';

/**
 * The staff profile repository: a staff member's directory entry and availability (one item,
 * versioned), and the blocks a change of availability puts into the staff slot locks of the time
 * it removes (availability-guard.ts says why).
 */

export interface StaffProfile extends AvailabilityRules {
  readonly staffId: string;
  readonly team: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** The directory fields of the profile item that a change of availability keeps as they are. */
export interface DirectoryFields {
  readonly name?: unknown;
  readonly registeredAt: unknown;
  readonly registeredBy: unknown;
}

/** The availability was changed by someone else since it was read (or the staff member registered meanwhile). */
export class AvailabilityVersionMismatch extends Error {
  override readonly name = 'AvailabilityVersionMismatch';
}

/** A staff id is registered once (the sign-in names of one user pool are unique across the municipality). */
export class StaffAlreadyRegistered extends Error {
  override readonly name = 'StaffAlreadyRegistered';
}

/** A staff profile item as read (e.g. in a batch with other items). */
export const staffProfileFrom = (item: Item): StaffProfile => ({
  staffId: String(item.staffId),
  team: String(item.team),
  weekly: (item.weekly ?? []) as WeeklyWindow[],
  exceptions: (item.exceptions ?? []) as AvailabilityException[],
  version: Number(item.version ?? 0),
  updatedAt: String(item.updatedAt ?? ''),
  updatedBy: String(item.updatedBy ?? ''),
});

/** The profile and the directory fields it carries, as stored now. */
export async function readStaffProfile(
  table: Table,
  staffId: string,
  consistent = false,
): Promise<{ profile: StaffProfile; directory: DirectoryFields } | undefined> {
  const item = await getItem(table, staffKeys.profile(staffId), { consistent });
  if (!item) return undefined;
  const directory = {
    ...(item.name !== undefined ? { name: item.name } : {}),
    registeredAt: item.registeredAt ?? item.updatedAt,
    registeredBy: item.registeredBy ?? item.updatedBy,
  };
  return { profile: staffProfileFrom(item), directory };
}

export async function getStaffProfile(
  table: Table,
  staffId: string,
  consistent = false,
): Promise<StaffProfile | undefined> {
  return (await readStaffProfile(table, staffId, consistent))?.profile;
}

/** A team's staff with their availability (the candidates for visits from a final grant). */
export async function listTeamStaff(table: Table, team: string): Promise<StaffProfile[]> {
  const items = await queryAll(table, { index: 'gsi1', partition: ['gsi1pk', staffKeys.teamPartition(team)] }, 500);
  return items.map(staffProfileFrom);
}

/** One page of a team's directory, as stored. */
export async function pageTeamStaff(
  table: Table,
  team: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Item>> {
  return queryPage(table, {
    index: 'gsi1',
    partition: ['gsi1pk', staffKeys.teamPartition(team)],
    limit: page.limit,
    cursor: page.cursor,
  });
}

const profileItem = (profile: StaffProfile, directory: DirectoryFields | Record<string, unknown>) => ({
  ...staffKeys.profile(profile.staffId),
  ...staffKeys.byTeam(profile.team, profile.staffId),
  entity: 'StaffProfile',
  ...directory,
  ...profile,
});

/** Registers a staff member in the directory (no availability yet); an id registered before is refused. */
export async function registerStaffProfile(table: Table, item: Record<string, unknown> & StaffProfile): Promise<void> {
  try {
    await transactWrite(table, [putNew(table, profileItem(item, {}))]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw new StaffAlreadyRegistered(item.staffId);
    throw error;
  }
}

/**
 * Replaces the profile: at `expectedVersion`, or only if there is none yet (undefined). A lost
 * race is an `AvailabilityVersionMismatch`.
 */
export async function putStaffProfile(
  table: Table,
  profile: StaffProfile,
  directory: DirectoryFields,
  expectedVersion: number | undefined,
): Promise<void> {
  const put: TransactItem = {
    Put: {
      TableName: table.name,
      Item: profileItem(profile, directory),
      ...(expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': expectedVersion },
          }),
    },
  };
  try {
    await transactNamed(table, [{ name: 'profile', action: put }]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw new AvailabilityVersionMismatch(profile.staffId);
    throw error;
  }
}

// ── Slot blocks ────────────────────────────────────────────────────────────────────────────────

/** The buckets between `from` and `to` (inclusive) whose staff lock is held now: by a visit, or by a block (`blockedBy`). */
export async function heldStaffBuckets(
  table: Table,
  staffId: string,
  from: string,
  to: string,
  now: Date,
): Promise<Map<string, { blockedBy?: string }>> {
  const items = await queryAll<Item>(
    table,
    {
      partition: ['pk', visitKeys.staffSlot(staffId, '').pk],
      sort: { attribute: 'sk', between: [from, to] },
      consistent: true,
      now,
    },
    Number.MAX_SAFE_INTEGER,
  );
  return new Map(
    items.map((item) => [String(item.sk), typeof item.blockedBy === 'string' ? { blockedBy: item.blockedBy } : {}]),
  );
}

/**
 * Puts a block into each free staff lock of these buckets (`end` is when a bucket's block may
 * expire) and answers the buckets it blocked. A bucket whose lock is already held (a visit's
 * lock, or another change's block) is left as it is: that time is taken either way.
 */
export async function blockStaffSlots(
  table: Table,
  staffId: string,
  buckets: readonly { bucket: string; end: Date }[],
  changeId: string,
  now: Date,
): Promise<string[]> {
  const written = await writeEachConditionally(
    table,
    buckets.map(({ bucket, end }) => ({
      name: bucket,
      action: {
        Put: {
          TableName: table.name,
          Item: {
            ...visitKeys.staffSlot(staffId, bucket),
            entity: 'SlotBlock',
            blockedBy: changeId,
            expiresAt: expiresAfterDays(1, end),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        },
      },
    })),
  );
  return buckets.map((b) => b.bucket).filter((bucket) => written.has(bucket));
}

/**
 * Removes blocks: `ownBlock` removes only the blocks of change `changeId` (a failed change takes
 * its own back); otherwise any block (time given back), never a visit's lock.
 */
export async function unblockStaffSlots(
  table: Table,
  staffId: string,
  buckets: readonly string[],
  which: { ownBlock: string } | { anyBlock: true },
): Promise<void> {
  const condition =
    'ownBlock' in which
      ? { ConditionExpression: 'blockedBy = :change', ExpressionAttributeValues: { ':change': which.ownBlock } }
      : { ConditionExpression: 'attribute_exists(blockedBy)' };
  await writeEachConditionally(
    table,
    buckets.map((bucket) => ({
      name: bucket,
      action: { Delete: { TableName: table.name, Key: visitKeys.staffSlot(staffId, bucket), ...condition } },
    })),
  );
}
