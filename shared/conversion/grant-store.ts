import { TRANSACTION_CONFLICT_BACKOFF, withRetry } from '#shared/platform/retry.ts';
import { citizenKeys, conversionKeys } from '#shared/table/keys.ts';
import {
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
  type TransactItem,
} from '#shared/table/store.ts';
import { toCurrent } from './final-grant-store.ts';
import { grantSchema, type CurrentFinalGrant, type Grant } from './model.ts';

/**
 * The grants repository: a grant lives in its citizen's partition (`GRANT#<id>`), next to the
 * profile, so one Query reads both. Every change of a grant also bumps the profile's
 * `grantsVersion` in the same transaction, so an approval can prove the grants are unchanged.
 */
export type GrantItem = Grant & { pk: string; sk: string; entity: 'Grant' };

export const toGrant = (item: Item): Grant => grantSchema.parse(item);

/** The citizen's profile is gone (a grant is only recorded for a citizen that exists). */
export class CitizenMissing extends Error {
  override readonly name = 'CitizenMissing';
}

/** A transaction ending a grant lost a race (the grant, the profile or the final grant moved); decide again. */
export class GrantEndRaced extends Error {
  override readonly name = 'GrantEndRaced';
}

/** Attribute on the citizen's profile counting changes to the citizen's grants (recorded or ended). */
export const GRANTS_VERSION = 'grantsVersion';

/** The profile's grants version; profiles written before the counter existed count as 0. */
export function grantsVersionOf(profile: Record<string, unknown> | undefined): number {
  const value = profile?.[GRANTS_VERSION];
  return typeof value === 'number' ? value : 0;
}

/** The profile update in every transaction changing a grant (ADD starts a missing counter at 0). */
export function bumpGrantsVersion(table: Table, citizenId: string): NamedAction {
  return {
    name: 'profile',
    action: {
      Update: {
        TableName: table.name,
        Key: citizenKeys.profile(citizenId),
        ...updateParts({ add: { [GRANTS_VERSION]: 1 } }),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
  };
}

/**
 * Adds "and the grants version is still `grantsVersion`" to a ConditionCheck on the profile (a
 * transaction names an item once, so the approval has one check; a profile without the counter
 * counts as 0).
 */
export function andGrantsVersionIs(check: TransactItem, grantsVersion: number): TransactItem {
  const base = check.ConditionCheck;
  if (!base) throw new Error('expected a ConditionCheck on the profile');
  const sameGrants =
    grantsVersion === 0
      ? '(attribute_not_exists(#grantsVersion) OR #grantsVersion = :grantsVersion)'
      : '#grantsVersion = :grantsVersion';
  return {
    ConditionCheck: {
      ...base,
      ConditionExpression: `(${base.ConditionExpression}) AND ${sameGrants}`,
      ExpressionAttributeNames: { ...base.ExpressionAttributeNames, '#grantsVersion': GRANTS_VERSION },
      ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ':grantsVersion': grantsVersion },
    },
  };
}

/** Number of retries of a grant transaction cancelled by a concurrent one on the profile. */
export const CONFLICT_RETRIES = 4;

/**
 * Writes a new grant, the profile's bump and the audit. The profile is written by every grant,
 * assessment and approval check: a transaction that loses a race on it is cancelled without
 * writing anything, so it is sent again. A failed condition on the profile: `CitizenMissing`.
 */
export async function insertGrant(table: Table, grant: Grant, audit: TransactItem): Promise<void> {
  const actions: NamedAction[] = [
    {
      name: 'grant',
      action: putNew(table, { ...conversionKeys.grant(grant.citizenId, grant.grantId), entity: 'Grant', ...grant }),
    },
    bumpGrantsVersion(table, grant.citizenId),
    { name: 'audit', action: audit },
  ];
  const citizenMissing = (error: unknown) => error instanceof NamedTransactionConflict && error.failedOn('profile');
  try {
    await withRetry(() => transactNamed(table, actions), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts: CONFLICT_RETRIES + 1,
      retryIf: (error) => error instanceof NamedTransactionConflict && !citizenMissing(error),
    });
  } catch (error) {
    if (citizenMissing(error)) throw new CitizenMissing('The citizen');
    throw error;
  }
}

/** A citizen's grants, oldest first, a page at a time. */
export async function grantsPage(
  table: Table,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Grant>> {
  const result = await queryPage(table, {
    partition: ['pk', conversionKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: conversionKeys.grantPrefix },
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map(toGrant), nextCursor: result.nextCursor };
}

/**
 * The citizen's profile item and every grant in one consistent Query: they sort next to each
 * other in the citizen's partition (`conversionKeys.grantsAndProfile`).
 */
export async function grantsAndProfile(
  table: Table,
  citizenId: string,
): Promise<{ profile: Record<string, unknown> | undefined; grants: Grant[] }> {
  const items = await queryAll<Item & { sk: string }>(table, {
    partition: ['pk', conversionKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', between: conversionKeys.grantsAndProfile },
    consistent: true,
  });
  const [, profileSk] = conversionKeys.grantsAndProfile;
  return {
    profile: items.find((item) => item.sk === profileSk),
    grants: items.filter((item) => item.sk.startsWith(conversionKeys.grantPrefix)).map(toGrant),
  };
}

/** The end of a grant, conditioned on the end date it had when read (none, or that one). */
export function endGrantAction(table: Table, read: Grant, ended: Grant): NamedAction {
  const change = updateParts({
    set: { endDate: ended.endDate, endedAt: ended.endedAt, endedBy: ended.endedBy, endReason: ended.endReason },
  });
  const condition =
    read.endDate === undefined ? 'attribute_exists(pk) AND attribute_not_exists(#readEnd)' : '#readEnd = :readEnd';
  return {
    name: 'grant',
    action: {
      Update: {
        TableName: table.name,
        Key: conversionKeys.grant(read.citizenId, read.grantId),
        UpdateExpression: change.UpdateExpression,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...change.ExpressionAttributeNames, '#readEnd': 'endDate' },
        ExpressionAttributeValues: {
          ...change.ExpressionAttributeValues,
          ...(read.endDate === undefined ? {} : { ':readEnd': read.endDate }),
        },
      },
    },
  };
}

/** Commits the end of a grant with whatever else the caller's transaction needs; a lost race is `GrantEndRaced`. */
export async function commitGrantEnd(table: Table, actions: readonly NamedAction[]): Promise<void> {
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (error instanceof NamedTransactionConflict)
      throw new GrantEndRaced(error.failedNames().join(', ') || 'contended');
    throw error;
  }
}

/**
 * What ending a grant reads, in one consistent BatchGetItem: the citizen's profile, the grant and
 * the current-final-grant pointer.
 */
export async function readForGrantEnd(
  table: Table,
  citizenId: string,
  grantId: string,
  now: Date,
): Promise<{ profile: Item | undefined; grant: Grant | undefined; pointer: CurrentFinalGrant | undefined }> {
  const [profile, grant, pointer] = await getItems(
    table,
    [
      citizenKeys.profile(citizenId),
      conversionKeys.grant(citizenId, grantId),
      conversionKeys.currentFinalGrant(citizenId),
    ],
    { consistent: true, now },
  );
  return { profile, grant: grant && toGrant(grant), pointer: pointer && toCurrent(pointer) };
}
