import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * Puts a block into a free staff lock of one bucket (`bucketEnd` is when it may expire). False
 * when the lock is already held: a visit's lock (or another change's block) is there, and that
 * time is taken either way.
 */
export async function blockStaffSlot(
  table: Table,
  staffId: string,
  bucket: string,
  changeId: string,
  at: { now: Date; bucketEnd: Date },
): Promise<boolean> {
  return ifCondition(
    table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...visitKeys.staffSlot(staffId, bucket),
          entity: 'SlotBlock',
          blockedBy: changeId,
          expiresAt: expiresAfterDays(1, at.bucketEnd),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': Math.floor(at.now.getTime() / 1000) },
      }),
    ),
  );
}

/**
 * Removes a block: `ownBlock` removes only the block of change `changeId` (a failed change takes
 * its own back); otherwise any block (time given back), never a visit's lock.
 */
export async function unblockStaffSlot(
  table: Table,
  staffId: string,
  bucket: string,
  which: { ownBlock: string } | { anyBlock: true },
): Promise<void> {
  const condition =
    'ownBlock' in which
      ? { ConditionExpression: 'blockedBy = :change', ExpressionAttributeValues: { ':change': which.ownBlock } }
      : { ConditionExpression: 'attribute_exists(blockedBy)' };
  await ifCondition(
    table.db.send(
      new DeleteCommand({ TableName: table.name, Key: visitKeys.staffSlot(staffId, bucket), ...condition }),
    ),
  );
}

/** One conditional write; false when its condition failed. */
async function ifCondition(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
