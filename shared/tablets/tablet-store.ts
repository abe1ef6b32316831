import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { tabletKeys } from '#shared/table/keys.ts';
import {
  getItem,
  putNew,
  queryAll,
  queryPage,
  transactNamed,
  NamedTransactionConflict,
  updateParts,
  type Item,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';

/**
 * The tablets' repository: pairing codes (`TABLETPAIRING#<hash>`) and paired tablets
 * (`CITIZEN#<id>` / `TABLET#<id>`, on gsi1 `TEAM#<team>#TABLETS` by last seen while paired).
 * Item shapes, keys, conditions and SDK calls live here; the rules in ./pairing.ts,
 * ./tokens.ts and ./not-seen.ts only read, decide and call.
 */
export interface TabletItem {
  tabletId: string;
  citizenId: string;
  team: string;
  label?: string;
  pairedAt: string;
  pairedBy: string;
  revokedAt?: string;
  revokedBy?: string;
  lastSeenAt?: string;
}

export interface PairingItem {
  citizenId: string;
  team: string;
  createdBy: string;
  /** Epoch seconds: what redeeming checks (the TTL only cleans up, days later). */
  validUntil: number;
}

/** The code was unknown, used or expired when the tablet tried to redeem it. */
export class PairingGone extends Error {}
/** The tablet changed between read and write (revoked meanwhile). */
export class TabletChanged extends Error {}

const KEY_FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity'] as const;

function tabletOf(item: Item | undefined): TabletItem | undefined {
  if (!item || typeof item.tabletId !== 'string' || typeof item.team !== 'string') return undefined;
  const tablet = { ...item };
  for (const field of KEY_FIELDS) delete tablet[field];
  return tablet as unknown as TabletItem;
}

/** The stored tablet with its gsi1 entry while it is paired (a revoked one is not expected to be seen). */
function tabletRecord(tablet: TabletItem): Item & { pk: string; sk: string } {
  const seen = tablet.lastSeenAt ?? tablet.pairedAt;
  return {
    ...tabletKeys.tablet(tablet.citizenId, tablet.tabletId),
    ...(tablet.revokedAt ? {} : tabletKeys.byTeamLastSeen(tablet.team, seen, tablet.citizenId, tablet.tabletId)),
    entity: 'Tablet',
    ...tablet,
  };
}

export async function getTablet(table: Table, citizenId: string, tabletId: string): Promise<TabletItem | undefined> {
  return tabletOf(await getItem(table, tabletKeys.tablet(citizenId, tabletId), { consistent: true }));
}

export async function listCitizenTablets(table: Table, citizenId: string, max: number): Promise<TabletItem[]> {
  const items = await queryAll(
    table,
    {
      partition: ['pk', tabletKeys.citizenPartition(citizenId)],
      sort: { attribute: 'sk', beginsWith: tabletKeys.tabletPrefix },
      newestFirst: true,
    },
    max,
  );
  return items.flatMap((item) => tabletOf(item) ?? []);
}

export function putPairingCode(table: Table, codeHash: string, pairing: PairingItem, ttlSeconds: number): TransactItem {
  return putNew(table, {
    ...tabletKeys.pairing(codeHash),
    entity: 'TabletPairing',
    ...pairing,
    expiresAt: ttlSeconds,
  });
}

export async function getPairingCode(table: Table, codeHash: string): Promise<PairingItem | undefined> {
  const item = (
    await table.db.send(
      new GetCommand({ TableName: table.name, Key: tabletKeys.pairing(codeHash), ConsistentRead: true }),
    )
  ).Item;
  if (!item || typeof item.citizenId !== 'string' || typeof item.team !== 'string') return undefined;
  return {
    citizenId: item.citizenId,
    team: item.team,
    createdBy: String(item.createdBy),
    validUntil: Number(item.validUntil),
  };
}

/** Deletes the code on condition it is still live and records the tablet, with `extra` (the audit) in one transaction. */
export async function redeemCode(
  table: Table,
  codeHash: string,
  nowSeconds: number,
  tablet: TabletItem,
  extra: TransactItem[],
): Promise<void> {
  const consume: TransactItem = {
    Delete: {
      TableName: table.name,
      Key: tabletKeys.pairing(codeHash),
      ConditionExpression: 'attribute_exists(pk) AND validUntil > :now',
      ExpressionAttributeValues: { ':now': nowSeconds },
    },
  };
  try {
    await transactNamed(table, [
      { name: 'code', action: consume },
      { name: 'tablet', action: putNew(table, tabletRecord(tablet)) },
      ...extra.map((action, i) => ({ name: `extra${i}`, action })),
    ]);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new PairingGone();
    throw error;
  }
}

/** Marks the tablet revoked (it leaves the last-seen index) on condition it was not, with `extra` in one transaction. */
export async function writeRevoked(table: Table, revoked: TabletItem, extra: TransactItem[]): Promise<void> {
  const record = tabletRecord(revoked);
  const action: TransactItem = {
    Put: {
      TableName: table.name,
      Item: record,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
    },
  };
  try {
    await transactNamed(table, [
      { name: 'tablet', action },
      ...extra.map((a, i) => ({ name: `extra${i}`, action: a })),
    ]);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new TabletChanged();
    throw error;
  }
}

/**
 * The heartbeat: sets `lastSeenAt` (and its gsi1 position) unless another request of the tablet
 * already did since `staleBefore`, or the tablet was revoked. False when nothing was written.
 */
export async function markSeen(table: Table, tablet: TabletItem, at: string, staleBefore: string): Promise<boolean> {
  const parts = updateParts({
    set: { lastSeenAt: at, ...tabletKeys.byTeamLastSeen(tablet.team, at, tablet.citizenId, tablet.tabletId) },
  });
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: tabletKeys.tablet(tablet.citizenId, tablet.tabletId),
        ...parts,
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND (attribute_not_exists(lastSeenAt) OR lastSeenAt < :stale)',
        ExpressionAttributeValues: { ...parts.ExpressionAttributeValues, ':stale': staleBefore },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')
      return false;
    throw error;
  }
}

/** A page of the team's paired tablets last seen before `cutoff`, longest unseen first. */
export async function tabletsNotSeenSince(
  table: Table,
  team: string,
  cutoff: string,
  cursor?: string,
): Promise<Page<TabletItem>> {
  const page = await queryPage(table, {
    index: 'gsi1',
    partition: ['gsi1pk', tabletKeys.teamLastSeenPartition(team)],
    sort: { attribute: 'gsi1sk', lte: cutoff },
    limit: 100,
    cursor,
  });
  return { items: page.items.flatMap((item) => tabletOf(item) ?? []), nextCursor: page.nextCursor };
}
