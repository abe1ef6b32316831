import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { alertKeys, dispenserKeys } from '#shared/table/keys.ts';
import {
  getItem,
  getItems,
  putItems,
  type Item,
  type Key,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import type { AssignedStatus, DispenserStatus } from './model.ts';
import type { DosePlanRule } from './schedule.ts';
import type { DEVICE_EVENT_ENTITY } from './device-event-entity.ts';

/**
 * The dispenser capability's repository: item shapes, keys, expressions and SDK calls of the
 * dispenser item, its raw device events and the state derived from them. Generic helpers (batch
 * reads, transactions, update builders) are in shared/table/store.ts.
 */

/** A span in which the dispenser's events belong to one citizen (status changes do not split it). */
export interface AttributionPeriod {
  readonly citizenId: string;
  readonly from: string;
  readonly to?: string | undefined;
}

export interface CurrentAssignment {
  readonly citizenId: string;
  /** When the citizen got the dispenser. */
  readonly assignedAt: string;
  /** The current status period (trial or active) of the history. */
  readonly periodId: string;
  readonly periodFrom: string;
  readonly status: AssignedStatus;
  readonly by: string;
}

export interface DispenserItem {
  pk: string;
  sk: string;
  entity: 'Dispenser';
  dispenserId: string;
  team: string;
  vendor: string;
  model: string;
  serial: string;
  status: DispenserStatus;
  trialEndsOn?: string;
  registeredAt: string;
  registeredBy: string;
  credentialHash: string;
  credentialIssuedAt: string;
  /** The issue time of the credential this one replaced: events it let in before the change still count. */
  previousCredentialIssuedAt?: string;
  assignment?: CurrentAssignment;
  /** The last few attribution periods, newest last: ingest places each event without another read. */
  periods: AttributionPeriod[];
  /** A copy of the assigned citizen's current dose plan, so ingest and the jobs need no second read. */
  dosePlan?: DosePlanRule;
  lastContactAt?: string;
  /** The dedup key of the open silent-device alert of the current silence, if one was raised. */
  silentAlertKey?: string;
  version: number;
}

/** How many attribution periods the dispenser item keeps (events older than these are rejected). */
export const KEPT_PERIODS = 10;

export interface UpdateSpec {
  set?: Record<string, unknown>;
  remove?: string[];
  add?: Record<string, unknown>;
  condition?: string;
  /** Values and names used by `condition` (names as `#name`, values as `:value`). */
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

function bindAll(spec: UpdateSpec) {
  const names: Record<string, string> = { ...(spec.names ?? {}) };
  const values: Record<string, unknown> = { ...(spec.values ?? {}) };
  const clauses = { SET: [] as string[], REMOVE: [] as string[], ADD: [] as string[] };
  let i = 0;
  const bind = (attr: string) => {
    names[`#u${i}`] = attr;
    return `#u${i++}`;
  };
  for (const [attr, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) clauses.REMOVE.push(bind(attr));
    else {
      values[`:u${i}`] = value;
      clauses.SET.push(`${bind(attr)} = :u${i - 1}`);
    }
  }
  for (const attr of spec.remove ?? []) clauses.REMOVE.push(bind(attr));
  for (const [attr, value] of Object.entries(spec.add ?? {})) {
    values[`:u${i}`] = value;
    clauses.ADD.push(`${bind(attr)} :u${i - 1}`);
  }
  const expression = Object.entries(clauses)
    .filter(([, parts]) => parts.length > 0)
    .map(([verb, parts]) => `${verb} ${parts.join(', ')}`)
    .join(' ');
  return { expression, names, values };
}

/** Builds an UpdateItem input from plain attribute maps; undefined values in `set` become REMOVEs. */
export function updateInput(table: Table, key: Key, spec: UpdateSpec) {
  const { expression, names, values } = bindAll(spec);
  return {
    TableName: table.name,
    Key: key,
    UpdateExpression: expression,
    ...(spec.condition ? { ConditionExpression: spec.condition } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

export function updateItem(table: Table, key: Key, spec: UpdateSpec): TransactItem {
  return { Update: updateInput(table, key, spec) };
}

/** In a missed-dose raise: marks the dose record, only while no take and no earlier raise is there. */
export function markDoseAlertRaised(
  table: Table,
  dose: { citizenId: string; doseAt: string },
  at: string,
): TransactItem {
  return updateItem(table, dispenserKeys.dose(dose.citizenId, dose.doseAt), {
    set: { entity: 'DoseRecord', citizenId: dose.citizenId, doseAt: dose.doseAt, alertRaisedAt: at },
    condition: 'attribute_not_exists(takenAts) AND attribute_not_exists(alertRaisedAt)',
  });
}

/** In a silent-device raise: names the alert on the dispenser, only while it is still the same silence (index unmoved). */
export function markSilentAlert(
  table: Table,
  dispenserId: string,
  dedupKey: string,
  silentSince: string,
): TransactItem {
  return updateItem(table, dispenserKeys.dispenser(dispenserId), {
    set: { silentAlertKey: dedupKey },
    condition: 'gsi2sk = :sk',
    values: { ':sk': dispenserKeys.assigned(silentSince, dispenserId).gsi2sk },
  });
}

const conditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';

/** A conditional UpdateItem: false when its condition kept the item as it was. */
async function updateIf(table: Table, key: Key, spec: UpdateSpec): Promise<boolean> {
  try {
    await table.db.send(new UpdateCommand(updateInput(table, key, spec)));
    return true;
  } catch (error) {
    if (!conditionFailed(error)) throw error;
    return false;
  }
}

// ── Raw device events ───────────────────────────────────────────────────────────────────────

/** What the stored copy of an event says; a repeat of its id must say the same. */
export interface StoredEventContent {
  readonly type: string;
  readonly occurredAt: string;
}

export interface RawEventItem extends StoredEventContent {
  readonly pk: string;
  readonly sk: string;
  readonly entity: typeof DEVICE_EVENT_ENTITY;
  readonly dispenserId: string;
  readonly team: string;
  readonly citizenId: string;
  readonly eventId: string;
  readonly deviceTime?: string;
  readonly scheduledFor?: string;
  readonly doseAt?: string;
  readonly details?: Record<string, string | number | boolean>;
  readonly receivedAt: string;
  readonly requestId: string;
  /** The issue time of the credential that let the event in: names that credential. */
  readonly credentialIssuedAt: string;
  /** Accepted on a dispenser item this process had cached: the derivation decides it again. */
  readonly decidedFromCache?: true;
  readonly expiresAt: number;
}

/**
 * What a post needs from the table, in one consistent BatchGetItem: the dispenser item (its
 * credential hash, attribution periods and plan copy) and which of the batch's events are
 * already stored.
 */
export async function readIngestState(
  table: Table,
  dispenserId: string,
  eventIds: readonly string[],
  now: Date,
): Promise<{ device: DispenserItem | undefined; stored: Map<string, StoredEventContent> }> {
  const [device, ...events] = await getItems(
    table,
    [dispenserKeys.dispenser(dispenserId), ...eventIds.map((id) => dispenserKeys.rawEvent(dispenserId, id))],
    { consistent: true, now },
  );
  const stored = new Map<string, StoredEventContent>();
  events.forEach((e, i) => {
    if (e) stored.set(eventIds[i] as string, e as unknown as StoredEventContent);
  });
  return { device: device as DispenserItem | undefined, stored };
}

/** The dispenser item alone (a credential check of another dispenser, the derivation's contact time). */
export async function readDispenser(table: Table, dispenserId: string): Promise<DispenserItem | undefined> {
  return getItem<DispenserItem & Item>(table, dispenserKeys.dispenser(dispenserId), { consistent: true });
}

/**
 * Stores new raw events. One event (how most dispensers report) is a conditional PutItem: first
 * write wins, also when two posts of its id race, and the loser learns the stored content. A
 * batch is BatchWriteItem (no conditions): two posts of one new id racing within the same
 * moment may both write it, the later copy replacing the earlier for a moment, until the stream's
 * MODIFY puts the first copy back (raw-event-guard.ts). Answers the ids another write stored
 * first, with that copy's content.
 */
export async function putRawEvents(
  table: Table,
  items: readonly RawEventItem[],
): Promise<Map<string, StoredEventContent | undefined>> {
  const lost = new Map<string, StoredEventContent | undefined>();
  const [only] = items;
  if (items.length !== 1 || !only) {
    await putItems(table, items as unknown as (Item & Key)[]);
    return lost;
  }
  try {
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: only,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
    const old = (error as ConditionalCheckFailedException).Item;
    lost.set(only.eventId, old ? (unmarshall(old) as StoredEventContent) : undefined);
  }
  return lost;
}

/**
 * An event accepted on a cached dispenser item that the derivation's review refused: it stays
 * stored as received (what the device said), marked, and nothing is derived from it.
 */
export async function markRawEventRefused(
  table: Table,
  dispenserId: string,
  eventId: string,
  reason: string,
): Promise<void> {
  // False when an earlier delivery marked it, or it expired: either way nothing is left to do.
  await updateIf(table, dispenserKeys.rawEvent(dispenserId, eventId), {
    set: { refused: reason },
    condition: 'attribute_exists(pk) AND attribute_not_exists(refused)',
  });
}

/** The citizen and planned dose the review placed an event on (written again on a redelivery: the same values). */
export async function placeRawEvent(
  table: Table,
  dispenserId: string,
  eventId: string,
  placement: { citizenId: string; doseAt?: string | undefined },
): Promise<void> {
  await updateIf(table, dispenserKeys.rawEvent(dispenserId, eventId), {
    set: { citizenId: placement.citizenId, doseAt: placement.doseAt },
    condition: 'attribute_exists(pk)',
  });
}

// ── State derived from the raw events ───────────────────────────────────────────────────────

/** Adds takes, misses… to a dose record (string sets: idempotent); answers the record after. */
export async function addToDoseRecord(
  table: Table,
  dose: { citizenId: string; doseAt: string; dispenserId: string; sets: Record<string, Set<string>> },
): Promise<Item> {
  const result = await table.db.send(
    new UpdateCommand({
      ...updateInput(table, dispenserKeys.dose(dose.citizenId, dose.doseAt), {
        set: { entity: 'DoseRecord', citizenId: dose.citizenId, doseAt: dose.doseAt, dispenserId: dose.dispenserId },
        add: dose.sets,
      }),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return result.Attributes ?? {};
}

/** Adds the hours a citizen's dispenser was heard from on one date (a string set). */
export async function addSeenHours(
  table: Table,
  day: { citizenId: string; date: string; hours: Set<string> },
): Promise<void> {
  await table.db.send(
    new UpdateCommand(
      updateInput(table, dispenserKeys.seenDay(day.citizenId, day.date), {
        set: { entity: 'DeviceSeenDay', citizenId: day.citizenId, date: day.date },
        add: { hours: day.hours },
      }),
    ),
  );
}

/** Moves an unresolved alert's `occurredAt` earlier (never later); false when nothing changed. */
export async function lowerAlertOccurredAt(table: Table, alertId: string, at: string): Promise<boolean> {
  return updateIf(table, alertKeys.alert(alertId), {
    set: { occurredAt: at },
    condition: 'occurredAt > :at AND #status <> :resolved',
    names: { '#status': 'status' },
    values: { ':at': at, ':resolved': 'resolved' },
  });
}

/**
 * Records the dispenser's last contact (and, while assigned, its place in the assigned index),
 * only forward in time and never for a dispenser that was taken back meanwhile; forgets the
 * silent-alert key. False when the condition kept it as it was.
 */
export async function recordContactAt(
  table: Table,
  dispenserId: string,
  at: string,
  assigned: boolean,
): Promise<boolean> {
  return updateIf(table, dispenserKeys.dispenser(dispenserId), {
    set: { lastContactAt: at, ...(assigned ? dispenserKeys.assigned(at, dispenserId) : {}) },
    ...(assigned ? { remove: ['silentAlertKey'] } : {}),
    condition: `${assigned ? 'attribute_exists(assignment)' : 'attribute_exists(pk)'} AND (attribute_not_exists(lastContactAt) OR lastContactAt < :at)`,
    values: { ':at': at },
  });
}

// ── The first copy of a raw event ───────────────────────────────────────────────────────────

/**
 * A MODIFY of a raw event on the table's stream, read → decide → write. Reads the event's first
 * copy as remembered beside it (`dispenserKeys.rawEventFirstCopy`, same TTL; absent until a
 * batch first replaced the event), asks `decide` (pure) what to do, then writes: the first copy
 * to remember from now on (`keep`), and the copy to store again (`restoration`), only while the
 * stored event is still exactly the MODIFY's new image (every attribute equal, none of the
 * restored copy's others there), so a later write is never undone and a second delivery writes
 * nothing. Answers the decision and whether the copy was stored again.
 */
export async function restoreRawEvent<
  D extends { readonly keep?: Item & Key; readonly restoration?: { readonly item: Item & Key } },
>(
  table: Table,
  change: { readonly newImage: Item & Key },
  decide: (kept: Item | undefined) => D,
): Promise<D & { restored: boolean }> {
  const event = change.newImage;
  const key = dispenserKeys.rawEventFirstCopy(String(event.dispenserId), String(event.eventId));
  const found = await getItem(table, key, { consistent: true });
  const decision = decide(found?.copy as Item | undefined);
  if (decision.keep)
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...key, entity: 'DeviceEventFirstCopy', copy: decision.keep, expiresAt: decision.keep.expiresAt },
      }),
    );
  if (!decision.restoration) return { ...decision, restored: false };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const restored = decision.restoration.item;
  const clauses = [...new Set([...Object.keys(event), ...Object.keys(restored)])].map((attr, i) => {
    names[`#a${i}`] = attr;
    if (!(attr in event)) return `attribute_not_exists(#a${i})`;
    values[`:a${i}`] = event[attr];
    return `#a${i} = :a${i}`;
  });
  try {
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: restored,
        ConditionExpression: clauses.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return { ...decision, restored: true };
  } catch (error) {
    if (!conditionFailed(error)) throw error;
    return { ...decision, restored: false };
  }
}
