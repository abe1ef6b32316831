import { citizenKeys, conversionKeys } from '#shared/table/keys.ts';
import {
  getItem,
  getItems,
  NamedTransactionConflict,
  putNew,
  queryAll,
  queryPage,
  transactNamed,
  updateParts,
  type Item,
  type NamedAction,
  type Page,
  type Table,
} from '#shared/table/store.ts';
import {
  currentFinalGrantSchema,
  finalGrantSchema,
  type CurrentFinalGrant,
  type FinalGrant,
  type FinalGrantRecord,
} from './model.ts';

/**
 * The final grants repository. Every final grant a citizen ever had is an item of the citizen's
 * partition (`FINALGRANT#<id>`, the history); a pointer item (`CURRENTFINALGRANT`) names the
 * current one and carries what other capabilities need of it, with a `version` that approvals
 * condition on. The pointer sits in gsi2 (every citizen) and gsi3 (per team).
 */
export type FinalGrantItem = FinalGrantRecord & { pk: string; sk: string; entity: 'FinalGrant' };
export type CurrentFinalGrantItem = CurrentFinalGrant & { pk: string; sk: string; entity: 'CurrentFinalGrant' };

/** The citizen's final grant changed since it was read (another approval, revision or end); reload. */
export class FinalGrantChanged extends Error {
  override readonly name = 'FinalGrantChanged';
}

export const toCurrent = (item: Item): CurrentFinalGrant => currentFinalGrantSchema.parse(item);
/** A stored final grant as the API shows it: `status` follows from `supersededBy`. */
export const toFinalGrant = (item: Item): FinalGrant =>
  finalGrantSchema.parse({ ...item, status: item.supersededBy ? 'superseded' : 'current' });

/** The pointer item of a citizen's current final grant, with its keys in both indexes. */
export function pointerItem(pointer: CurrentFinalGrant): CurrentFinalGrantItem {
  return {
    ...conversionKeys.currentFinalGrant(pointer.citizenId),
    ...conversionKeys.allCurrentFinalGrants(pointer.citizenId),
    ...conversionKeys.teamCurrentFinalGrants(pointer.team, pointer.citizenId),
    entity: 'CurrentFinalGrant',
    ...pointer,
  };
}

export async function getPointer(table: Table, citizenId: string): Promise<CurrentFinalGrant | undefined> {
  const item = await getItem(table, conversionKeys.currentFinalGrant(citizenId), { consistent: true });
  return item ? toCurrent(item) : undefined;
}

/** The stored final grant `finalGrantId` of a citizen (consistent), or undefined. */
export async function getFinalGrant(table: Table, citizenId: string, finalGrantId: string) {
  const [item] = await getItems(table, [conversionKeys.finalGrant(citizenId, finalGrantId)], { consistent: true });
  return item ? toFinalGrant(item) : undefined;
}

/** Every citizen's current final grant, a page at a time (gsi2, by citizen id). */
export async function pointersPage(table: Table, cursor?: string, limit = 100): Promise<Page<CurrentFinalGrant>> {
  const page = await queryPage(table, {
    index: 'gsi2',
    partition: ['gsi2pk', conversionKeys.allCurrentFinalGrantsPartition],
    limit,
    cursor,
  });
  return { items: page.items.map(toCurrent), nextCursor: page.nextCursor };
}

/** The current final grants of a team (gsi3), or of the whole municipality when `team` is undefined (gsi2). */
export async function pointersOf(table: Table, team: string | undefined): Promise<CurrentFinalGrant[]> {
  const items = await queryAll(
    table,
    team === undefined
      ? { index: 'gsi2', partition: ['gsi2pk', conversionKeys.allCurrentFinalGrantsPartition] }
      : { index: 'gsi3', partition: ['gsi3pk', conversionKeys.teamCurrentFinalGrantsPartition(team)] },
    100_000,
  );
  return items.map(toCurrent);
}

/** A citizen's final grants (the history), newest or oldest first. */
export async function finalGrantHistory(
  table: Table,
  citizenId: string,
  options: { newestFirst?: boolean; consistent?: boolean; max: number },
): Promise<FinalGrant[]> {
  const items = await queryAll(
    table,
    {
      partition: ['pk', conversionKeys.citizenPartition(citizenId)],
      sort: { attribute: 'sk', beginsWith: conversionKeys.finalGrantPrefix },
      newestFirst: options.newestFirst ?? false,
      consistent: options.consistent ?? false,
    },
    options.max,
  );
  return items.slice(0, options.max).map(toFinalGrant);
}

/**
 * The pointer moves to a new final grant, conditioned on the version the caller based its
 * decision on (0: the citizen has no final grant yet, so the pointer must be new).
 */
export function putPointerAction(table: Table, pointer: CurrentFinalGrant, expectedVersion: number): NamedAction {
  const condition =
    expectedVersion > 0
      ? {
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': expectedVersion },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
  return { name: 'pointer', action: { Put: { TableName: table.name, Item: pointerItem(pointer), ...condition } } };
}

/** A new final-grant version in the history. */
export function putFinalGrantAction(table: Table, record: FinalGrantRecord): NamedAction {
  const item: FinalGrantItem = {
    ...conversionKeys.finalGrant(record.citizenId, record.finalGrantId),
    entity: 'FinalGrant',
    ...record,
  };
  return { name: 'finalGrant', action: putNew(table, item) };
}

/** The previous version is marked superseded, once: it must exist and not be superseded yet. */
export function supersedeAction(
  table: Table,
  citizenId: string,
  previousId: string,
  by: { finalGrantId: string; at: string },
): NamedAction {
  return {
    name: 'previous',
    action: {
      Update: {
        TableName: table.name,
        Key: conversionKeys.finalGrant(citizenId, previousId),
        ...updateParts({ set: { supersededBy: by.finalGrantId, supersededAt: by.at } }),
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(supersededBy)',
      },
    },
  };
}

/**
 * The current final grant's lines and plans rewritten in place (a grant ended), on the pointer
 * (conditioned on the version read; not bumped, as the version counts approvals) and on the
 * version it names (conditioned on it not being superseded).
 */
export function reviseCurrentActions(
  table: Table,
  pointer: CurrentFinalGrant,
  revised: Pick<CurrentFinalGrant, 'lines' | 'screenVisitPlan' | 'dosePlan'>,
): NamedAction[] {
  const set = updateParts({
    set: { lines: revised.lines, screenVisitPlan: revised.screenVisitPlan, dosePlan: revised.dosePlan },
  });
  return [
    {
      name: 'pointer',
      action: {
        Update: {
          TableName: table.name,
          Key: conversionKeys.currentFinalGrant(pointer.citizenId),
          ...set,
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { ...set.ExpressionAttributeNames, '#version': 'version' },
          ExpressionAttributeValues: { ...set.ExpressionAttributeValues, ':version': pointer.version },
        },
      },
    },
    {
      name: 'finalGrant',
      action: {
        Update: {
          TableName: table.name,
          Key: conversionKeys.finalGrant(pointer.citizenId, pointer.finalGrantId),
          ...set,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(supersededBy)',
        },
      },
    },
  ];
}

/** The citizen's profile item and current-final-grant pointer in one consistent BatchGetItem. */
export async function profileAndPointer(
  table: Table,
  citizenId: string,
  now?: Date,
): Promise<{ profile: Item | undefined; pointer: CurrentFinalGrant | undefined }> {
  const [profile, pointer] = await getItems(
    table,
    [citizenKeys.profile(citizenId), conversionKeys.currentFinalGrant(citizenId)],
    { consistent: true, ...(now ? { now } : {}) },
  );
  return { profile, pointer: pointer && toCurrent(pointer) };
}

/** Commits a revision of the current final grant (and what goes with it); any lost race or failed condition is `FinalGrantChanged`. */
export async function commitRevision(table: Table, actions: readonly NamedAction[]): Promise<void> {
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new FinalGrantChanged(error.failedNames().join(', '));
    throw error;
  }
}
