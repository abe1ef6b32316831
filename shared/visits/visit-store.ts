import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '#shared/platform/deps.ts';
import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { visitKeys } from '#shared/table/keys.ts';
import {
  expiresAfterDays,
  getItem,
  NamedTransactionConflict,
  putNew,
  transactNamed,
  updateParts,
  type Item,
  type Key,
  type NamedAction,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import { fromItem, lockKeys, type Slots, type VisitRecord } from './model.ts';

/**
 * The visit repository: the visit item and its index keys, the slot locks that keep a party from
 * being booked twice, and the one transaction that writes them. A failed condition comes back as
 * one of the named errors below, never as a position in an action list.
 */

// ── Errors a visit write decodes a failed condition into ───────────────────────────────────────

/** The visit item's condition failed: it already exists (a new visit) or changed since it was read. */
export class VisitVersionMismatch extends Error {
  override readonly name = 'VisitVersionMismatch';
}

/** The staff member already holds a lock of this time (`holder` is the visit that holds it). */
export class StaffDoubleBooked extends Error {
  override readonly name = 'StaffDoubleBooked';
  constructor(
    readonly staffId: string,
    readonly holder: string | undefined,
  ) {
    super(`Staff member ${staffId} is booked then`);
  }
}

/** The citizen already holds a lock of this time. */
export class CitizenDoubleBooked extends Error {
  override readonly name = 'CitizenDoubleBooked';
  constructor(readonly holder: string | undefined) {
    super('The citizen is booked then');
  }
}

/** A change of availability blocked the staff member's time while the visit was being written. */
export class AvailabilityChanged extends Error {
  override readonly name = 'AvailabilityChanged';
}

/** Another transaction touched the same items each time we tried. */
export class VisitWriteContended extends Error {
  override readonly name = 'VisitWriteContended';
}

/** Some other action of the transaction failed its condition (a lock the visit no longer held, a claim). */
export class VisitWriteRefused extends Error {
  override readonly name = 'VisitWriteRefused';
  constructor(readonly failedOn: string) {
    super(`The visit write failed on ${failedOn}`);
  }
}

export type VisitWriteError =
  | VisitVersionMismatch
  | StaffDoubleBooked
  | CitizenDoubleBooked
  | AvailabilityChanged
  | VisitWriteContended
  | VisitWriteRefused;

/** A write refused by a failed condition (not merely contended). */
export function failedCondition(error: unknown): boolean {
  return (
    error instanceof VisitVersionMismatch ||
    error instanceof StaffDoubleBooked ||
    error instanceof CitizenDoubleBooked ||
    error instanceof AvailabilityChanged ||
    error instanceof VisitWriteRefused
  );
}

// ── The visit item ─────────────────────────────────────────────────────────────────────────────

/** The visit item with its index keys: the assignee index (staff or the team's unassigned), citizen, team. */
export function visitItem(visit: VisitRecord): Item & Key {
  return {
    ...visitKeys.visit(visit.visitId),
    ...(visit.staffId
      ? visitKeys.byStaff(visit.staffId, visit.start, visit.visitId)
      : visitKeys.unassigned(visit.team, visit.start, visit.visitId)),
    ...visitKeys.byCitizen(visit.citizenId, visit.start, visit.visitId),
    ...visitKeys.byTeam(visit.team, visit.start, visit.visitId),
    entity: 'Visit',
    ...Object.fromEntries(Object.entries(visit).filter(([, v]) => v !== undefined)),
  };
}

export async function loadVisit(table: Table, visitId: string): Promise<VisitRecord | undefined> {
  const item = await getItem(table, visitKeys.visit(visitId), { consistent: true });
  return item ? fromItem(item) : undefined;
}

/** Replaces the visit item on the condition that nobody changed it since `expectedVersion`. */
export function putVisitIfVersion(table: Table, visit: VisitRecord, expectedVersion: number): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: visitItem(visit),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    },
  };
}

/** The visit action of a transaction: a new visit (its id must be free) or a replace at a version. */
export function visitAction(table: Table, visit: VisitRecord, expectedVersion?: number): NamedAction {
  return {
    name: 'visit',
    action:
      expectedVersion === undefined
        ? putNew(table, visitItem(visit))
        : putVisitIfVersion(table, visit, expectedVersion),
  };
}

/** Any other action of a visit transaction (audit, outbox event, an alert), named for decoding. */
export const otherAction = (name: string, action: TransactItem): NamedAction => ({ name, action });

/**
 * Notes which times the visit's schedules were made for (`schedulesFor`), only on the version
 * they were made from: a visit changed meanwhile is looked at again by its own event.
 */
export async function noteSchedulesFor(
  table: Table,
  visit: Pick<VisitRecord, 'visitId' | 'version'>,
  schedulesFor: string,
): Promise<void> {
  const update = updateParts({ set: { schedulesFor } });
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: visitKeys.visit(visit.visitId),
        ...update,
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#version': 'version' },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':version': visit.version },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

// ── Slot locks ─────────────────────────────────────────────────────────────────────────────────

/**
 * Claims a lock. It fails when another visit holds it — unless that lock has expired (locks
 * expire a day after their visit ended, and DynamoDB deletes expired items lazily).
 */
function takeLock(deps: Deps, key: Key, visitId: string, end: Date): TransactItem {
  return {
    Put: {
      TableName: deps.table.name,
      Item: { ...key, entity: 'VisitSlot', visitId, expiresAt: expiresAfterDays(1, end) },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': Math.floor(deps.clock.now().getTime() / 1000) },
      // Says who holds it when it is taken: another visit, or a change of availability (a block).
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Releases a lock this visit holds (and only if it does). */
function releaseLock(table: Table, key: Key, visitId: string): TransactItem {
  return {
    Delete: {
      TableName: table.name,
      Key: key,
      ConditionExpression: 'visitId = :visitId',
      ExpressionAttributeValues: { ':visitId': visitId },
    },
  };
}

const keyString = (k: Key) => `${k.pk}\u0000${k.sk}`;

/**
 * The lock actions that move a visit from `before` to `after`: take what it newly needs (named
 * `staffSlot` / `citizenSlot`), release what it no longer needs (`releaseSlot`), leave the rest
 * (a transaction may not touch one item twice).
 */
export function lockMoves(
  deps: Deps,
  visitId: string,
  before: Slots | undefined,
  after: Slots | undefined,
): NamedAction[] {
  const old = before ? lockKeys(before) : [];
  const next = after ? lockKeys(after) : [];
  const oldSet = new Set(old.map((l) => keyString(l.key)));
  const nextSet = new Set(next.map((l) => keyString(l.key)));
  const takes = next
    .filter((l) => !oldSet.has(keyString(l.key)))
    .map((l) => ({
      name: `${l.party.kind}Slot`,
      action: takeLock(deps, l.key, visitId, after?.end ?? new Date()),
    }));
  const releases = old
    .filter((l) => !nextSet.has(keyString(l.key)))
    .map((l) => ({ name: 'releaseSlot', action: releaseLock(deps.table, l.key, visitId) }));
  return [...takes, ...releases];
}

// ── The write ──────────────────────────────────────────────────────────────────────────────────

/** Names the first failed condition of a visit transaction (action order). */
export function decodeVisitConflict(conflict: NamedTransactionConflict, visit: Pick<VisitRecord, 'staffId'>): Error {
  const first = conflict.failedNames()[0];
  if (first === undefined) return new VisitWriteContended('The visit transaction stayed contended');
  if (first === 'visit') return new VisitVersionMismatch('The visit changed or already exists');
  const held = conflict.itemOf(first);
  const holder = typeof held?.visitId === 'string' ? held.visitId : undefined;
  if (first === 'staffSlot')
    return held?.blockedBy !== undefined
      ? new AvailabilityChanged('A change of availability blocked this time')
      : new StaffDoubleBooked(visit.staffId ?? '', holder);
  if (first === 'citizenSlot') return new CitizenDoubleBooked(holder);
  return new VisitWriteRefused(first);
}

/**
 * Commits a visit transaction. `ConditionalCheckFailed` is a real answer (the slot is taken, the
 * visit changed) and becomes a `VisitWriteError`; a cancellation with no failed condition only
 * means another transaction touched one of the same items at that moment, so it is retried with
 * jitter — otherwise two bookings racing for one slot could both be refused and nobody get it.
 */
export async function writeVisit(
  table: Table,
  visit: Pick<VisitRecord, 'staffId'>,
  actions: readonly NamedAction[],
  attempts = 8,
): Promise<void> {
  try {
    await withRetry(() => transactNamed(table, actions), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts,
      retryIf: (error) => error instanceof NamedTransactionConflict && error.contended(),
    });
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw decodeVisitConflict(error, visit);
    throw error;
  }
}
