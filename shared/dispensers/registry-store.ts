import { dispenserKeys } from '#shared/table/keys.ts';
import {
  getItem,
  getItems,
  NamedTransactionConflict,
  putNew,
  queryPage,
  transactNamed,
  updateParts,
  type Item,
  type Key,
  type NamedAction,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import type { DispenserPeriod } from './model.ts';
import { forgetDispenser } from './dispenser-cache.ts';
import type { CurrentAssignment, DispenserItem } from './store.ts';

/**
 * The dispenser registry's repository: the dispenser item, its serial claim, the citizen's claim
 * on it, its status periods, and the transactions that change them. A failed condition comes
 * back as one of the named errors below.
 */

/** Another dispenser of this vendor already has this serial. */
export class SerialTaken extends Error {
  override readonly name = 'SerialTaken';
}

/** The dispenser (or the plan its assignment copies) changed since it was read. */
export class DispenserChanged extends Error {
  override readonly name = 'DispenserChanged';
}

/** The citizen already has a dispenser. */
export class CitizenHasDispenser extends Error {
  override readonly name = 'CitizenHasDispenser';
}

/** Vendors and serials are compared without case and surrounding space: `Evondos`/`EVONDOS` are one vendor. */
const vendorKey = (vendor: string) => vendor.trim().toLowerCase().replace(/\s+/g, '-');
const serialKey = (serial: string) => serial.trim().toUpperCase();

type Stored = DispenserItem & Record<string, unknown>;

/**
 * An Update of `key`: attributes set to undefined are removed, `condition` guards it. Names and
 * values of the condition are its own (`#c…`, `:c…`), apart from those of the update itself.
 */
function update(
  table: Table,
  key: Key,
  change: { set: Record<string, unknown>; remove?: readonly string[] },
  condition: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> },
): TransactItem {
  const set = Object.fromEntries(Object.entries(change.set).filter(([, v]) => v !== undefined));
  const removed = Object.keys(change.set).filter((k) => change.set[k] === undefined);
  const parts = updateParts({ set, remove: [...removed, ...(change.remove ?? [])] });
  const values = { ...parts.ExpressionAttributeValues, ...condition.values };
  return {
    Update: {
      TableName: table.name,
      Key: key,
      UpdateExpression: parts.UpdateExpression,
      ConditionExpression: condition.expression,
      ExpressionAttributeNames: { ...parts.ExpressionAttributeNames, ...condition.names },
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    },
  };
}

const atVersion = (version: number) => ({ expression: 'version = :cv', values: { ':cv': version } });
const atVersionUnassigned = (version: number) => ({
  expression: 'version = :cv AND attribute_not_exists(assignment)',
  values: { ':cv': version },
});

/**
 * A change of one dispenser item: a transaction whose every failed condition means the dispenser
 * changed meanwhile. This process's device posts decide on a fresh read after it.
 */
async function commitFor(table: Table, dispenserId: string, actions: readonly NamedAction[]): Promise<void> {
  try {
    await commit(table, actions);
  } finally {
    forgetDispenser(table, dispenserId);
  }
}

/** A transaction whose every failed condition means the dispenser changed meanwhile. */
async function commit(table: Table, actions: readonly NamedAction[]): Promise<void> {
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new DispenserChanged(error.failedNames().join(', '));
    throw error;
  }
}

export async function loadDispenserItem(table: Table, dispenserId: string): Promise<DispenserItem | undefined> {
  return getItem<Stored>(table, dispenserKeys.dispenser(dispenserId), { consistent: true });
}

export type NewDispenser = Omit<DispenserItem, 'pk' | 'sk' | 'entity'>;

/** A new dispenser and the claim on its vendor's serial, together; the item as stored. */
export async function insertDispenser(table: Table, fields: NewDispenser): Promise<DispenserItem> {
  const item: DispenserItem = { ...dispenserKeys.dispenser(fields.dispenserId), entity: 'Dispenser', ...fields };
  const serial = { vendor: item.vendor, serial: item.serial };
  try {
    await transactNamed(table, [
      {
        name: 'serial',
        action: putNew(table, {
          ...dispenserKeys.serial(vendorKey(serial.vendor), serialKey(serial.serial)),
          entity: 'DispenserSerial',
          dispenserId: item.dispenserId,
        }),
      },
      { name: 'dispenser', action: putNew(table, { ...item, ...dispenserKeys.byTeam(item.team, item.dispenserId) }) },
    ]);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new SerialTaken(`${serial.vendor} ${serial.serial}`);
    throw error;
  }
  return item;
}

/** One page of a team's dispensers, by registration. */
export async function pageTeamDispensers(
  table: Table,
  team: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<DispenserItem>> {
  return queryPage<Stored>(table, {
    index: 'gsi1',
    partition: ['gsi1pk', dispenserKeys.teamPartition(team)],
    limit: page.limit,
    cursor: page.cursor,
  });
}

/** The new credential's hash replaces the old one, on the version read. */
export async function replaceCredential(
  table: Table,
  item: DispenserItem,
  credential: { hash: string; issuedAt: string },
): Promise<void> {
  const set = {
    credentialHash: credential.hash,
    credentialIssuedAt: credential.issuedAt,
    previousCredentialIssuedAt: item.credentialIssuedAt,
    version: item.version + 1,
  };
  await commitFor(table, item.dispenserId, [
    {
      name: 'dispenser',
      action: update(table, dispenserKeys.dispenser(item.dispenserId), { set }, atVersion(item.version)),
    },
  ]);
}

/** In stock ↔ returned, for a dispenser no citizen has. */
export async function writeUnassignedStatus(table: Table, item: DispenserItem, status: string): Promise<void> {
  const set = { status, version: item.version + 1 };
  await commitFor(table, item.dispenserId, [
    {
      name: 'dispenser',
      action: update(table, dispenserKeys.dispenser(item.dispenserId), { set }, atVersionUnassigned(item.version)),
    },
  ]);
}

/** The reads an assignment is decided on: the dispenser, the citizen, the citizen's dose plan. */
export async function readAssignment(
  table: Table,
  dispenserId: string,
  citizenKey: Key,
  citizenId: string,
  now: Date,
): Promise<{ dispenser: DispenserItem | undefined; citizen: Item | undefined; plan: Item | undefined }> {
  const [dispenser, citizen, plan] = await getItems(
    table,
    [dispenserKeys.dispenser(dispenserId), citizenKey, dispenserKeys.dosePlan(citizenId)],
    { consistent: true, now },
  );
  return { dispenser: dispenser as Stored | undefined, citizen, plan };
}

function periodItem(p: DispenserPeriod) {
  return {
    ...dispenserKeys.period(p.dispenserId, p.from, p.periodId),
    ...dispenserKeys.teamPeriods(p.team, p.from, p.periodId),
    ...dispenserKeys.citizenPeriods(p.citizenId, p.from, p.periodId),
    entity: 'DispenserPeriod',
    ...p,
  };
}

/** Closes the current status period (its `to`), in the transaction that ends it. */
function closePeriod(table: Table, dispenserId: string, assignment: CurrentAssignment, at: string): NamedAction {
  const key = dispenserKeys.period(dispenserId, assignment.periodFrom, assignment.periodId);
  return {
    name: 'closePeriod',
    action: update(
      table,
      key,
      { set: { to: at } },
      { expression: 'attribute_exists(pk) AND attribute_not_exists(#cto)', names: { '#cto': 'to' } },
    ),
  };
}

/** The index keys a dispenser on trial is listed by (removed when it is not). */
export const trialIndex = (trialEndsOn: string | undefined, dispenserId: string) =>
  trialEndsOn ? dispenserKeys.onTrial(trialEndsOn, dispenserId) : { gsi3pk: undefined, gsi3sk: undefined };

/** The index keys of an assigned dispenser: silence counts from `heardSince`. */
export const assignedIndex = (heardSince: string, dispenserId: string) =>
  dispenserKeys.assigned(heardSince, dispenserId);

export interface AssignmentWrite {
  readonly item: DispenserItem;
  /** The dispenser's new fields (status, assignment, version, index keys…). */
  readonly set: Record<string, unknown>;
  readonly period: DispenserPeriod;
  /** A new assignment (rather than a status change for the citizen who has it): the plan version it copied. */
  readonly claim?: { citizenId: string; planVersion: number | undefined } | undefined;
  /** The audit record and the event, in the same transaction. */
  readonly with: readonly TransactItem[];
}

/**
 * Assigns (or changes the status of) a dispenser: one citizen per dispenser and one dispenser per
 * citizen are both conditions of the one transaction, so a race ends in `CitizenHasDispenser` or
 * `DispenserChanged`.
 */
export async function writeAssignment(table: Table, w: AssignmentWrite): Promise<void> {
  const key = dispenserKeys.dispenser(w.item.dispenserId);
  const current = w.item.assignment;
  const actions: NamedAction[] = current
    ? [
        { name: 'dispenser', action: update(table, key, { set: w.set }, atVersion(w.item.version)) },
        closePeriod(table, w.item.dispenserId, current, w.period.from),
      ]
    : [
        { name: 'dispenser', action: update(table, key, { set: w.set }, atVersionUnassigned(w.item.version)) },
        ...(w.claim ? claimActions(table, w.item.dispenserId, w.claim) : []),
      ];
  actions.push(
    { name: 'period', action: putNew(table, periodItem(w.period)) },
    ...w.with.map((action) => ({ name: 'record', action })),
  );
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (!(error instanceof NamedTransactionConflict)) throw error;
    if (error.failedOn('citizenClaim')) throw new CitizenHasDispenser(w.claim?.citizenId ?? '');
    throw new DispenserChanged(error.failedNames().join(', '));
  } finally {
    forgetDispenser(table, w.item.dispenserId);
  }
}

/** The citizen's claim on the dispenser, and a check that the plan it copied is still the citizen's plan. */
function claimActions(
  table: Table,
  dispenserId: string,
  claim: { citizenId: string; planVersion: number | undefined },
): NamedAction[] {
  const planKey = dispenserKeys.dosePlan(claim.citizenId);
  return [
    {
      name: 'citizenClaim',
      action: putNew(table, {
        ...dispenserKeys.citizenDispenser(claim.citizenId),
        entity: 'CitizenDispenser',
        citizenId: claim.citizenId,
        dispenserId,
      }),
    },
    {
      name: 'plan',
      action: {
        ConditionCheck:
          claim.planVersion !== undefined
            ? {
                TableName: table.name,
                Key: planKey,
                ConditionExpression: 'version = :pv',
                ExpressionAttributeValues: { ':pv': claim.planVersion },
              }
            : { TableName: table.name, Key: planKey, ConditionExpression: 'attribute_not_exists(pk)' },
      },
    },
  ];
}

/** Takes the dispenser back from the citizen who has it: the period closes and the citizen's claim goes. */
export async function writeTakeBack(
  table: Table,
  w: { item: DispenserItem; set: Record<string, unknown>; at: string; with: readonly TransactItem[] },
): Promise<void> {
  const current = w.item.assignment;
  if (!current) throw new DispenserChanged('not assigned');
  const change = { set: w.set, remove: ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] };
  await commitFor(table, w.item.dispenserId, [
    {
      name: 'dispenser',
      action: update(table, dispenserKeys.dispenser(w.item.dispenserId), change, atVersion(w.item.version)),
    },
    closePeriod(table, w.item.dispenserId, current, w.at),
    {
      name: 'citizenClaim',
      action: {
        Delete: {
          TableName: table.name,
          Key: dispenserKeys.citizenDispenser(current.citizenId),
          ConditionExpression: 'dispenserId = :d',
          ExpressionAttributeValues: { ':d': w.item.dispenserId },
        },
      },
    },
    ...w.with.map((action) => ({ name: 'record', action })),
  ]);
}

/** A dispenser's status periods, newest first. */
export async function pageDispenserPeriods(
  table: Table,
  dispenserId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Item>> {
  return queryPage(table, {
    partition: ['pk', dispenserKeys.dispenser(dispenserId).pk],
    sort: { attribute: 'sk', beginsWith: dispenserKeys.periodPrefix },
    limit: page.limit,
    cursor: page.cursor,
    newestFirst: true,
  });
}

/** The periods in which a citizen had a dispenser, newest first. */
export async function pageCitizenPeriods(
  table: Table,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Item>> {
  return queryPage(table, {
    index: 'gsi2',
    partition: ['gsi2pk', dispenserKeys.citizenPeriodsPartition(citizenId)],
    limit: page.limit,
    cursor: page.cursor,
    newestFirst: true,
  });
}
