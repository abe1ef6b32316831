import { conversionKeys } from '#shared/table/keys.ts';
import {
  getItem,
  NamedTransactionConflict,
  putNew,
  queryPage,
  transactNamed,
  updateParts,
  type Item,
  type NamedAction,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import { FinalGrantChanged, putFinalGrantAction, putPointerAction, supersedeAction } from './final-grant-store.ts';
import { conversionSchema, type Conversion, type CurrentFinalGrant, type FinalGrantRecord } from './model.ts';

/**
 * The conversions repository: a conversion is addressed by its own id (`CONVERSION#<id>`) and
 * listed per citizen through gsi1. Approval is one transaction across the conversion, the
 * final-grant history and pointer, and a check on the citizen's profile; its failures come back
 * as named errors.
 */
export type ConversionItem = Conversion & { pk: string; sk: string; entity: 'Conversion' };

const toConversion = (item: Item): Conversion => conversionSchema.parse(item);

/** The conversion is no longer `proposed` (approved meanwhile). */
export class ConversionNotProposed extends Error {
  override readonly name = 'ConversionNotProposed';
}

/** The profile's latest assessment or grants version moved since it was read, or a concurrent transaction cancelled this one: decide again. */
export class ProfileChanged extends Error {
  override readonly name = 'ProfileChanged';
}

export async function getConversion(table: Table, conversionId: string): Promise<Conversion | undefined> {
  const item = await getItem(table, conversionKeys.conversion(conversionId), { consistent: true });
  return item ? toConversion(item) : undefined;
}

/** A citizen's conversions, newest first. */
export async function conversionsPage(
  table: Table,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Conversion>> {
  const result = await queryPage(table, {
    index: 'gsi1',
    partition: ['gsi1pk', conversionKeys.conversionsOfCitizenPartition(citizenId)],
    newestFirst: true,
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map(toConversion), nextCursor: result.nextCursor };
}

/** A proposal and its audit, in one transaction. */
export async function insertConversion(table: Table, conversion: Conversion, audit: TransactItem): Promise<void> {
  const item: ConversionItem = {
    ...conversionKeys.conversion(conversion.conversionId),
    ...conversionKeys.conversionsOfCitizen(conversion.citizenId, conversion.conversionId),
    entity: 'Conversion',
    ...conversion,
  };
  await transactNamed(table, [
    { name: 'conversion', action: putNew(table, item) },
    { name: 'audit', action: audit },
  ]);
}

export interface Approval {
  conversion: Conversion;
  approvedBy: string;
  approvedAt: string;
  note?: string | undefined;
  /** The new version of the history, and the pointer that moves to it. */
  finalGrant: FinalGrantRecord;
  pointer: CurrentFinalGrant;
  /** The check on the profile (latest assessment and grants version as read). */
  profileCheck: TransactItem;
  audit: TransactItem;
  event: TransactItem;
}

/**
 * One transaction: the conversion becomes approved (only from `proposed`), the pointer moves on
 * (conditioned on the version the proposal was based on), the new final grant is written, the
 * profile is checked, the previous version is superseded and the event goes to the outbox.
 * `ConversionNotProposed`, `ProfileChanged` (also when cancelled by a concurrent transaction) or
 * `FinalGrantChanged`, decided by the first action that failed in that order.
 */
export async function commitApproval(table: Table, approval: Approval): Promise<void> {
  const { conversion, finalGrant } = approval;
  const actions: NamedAction[] = [
    approveAction(table, approval),
    putPointerAction(table, approval.pointer, conversion.basedOnVersion),
    putFinalGrantAction(table, finalGrant),
    { name: 'audit', action: approval.audit },
    { name: 'profile', action: approval.profileCheck },
  ];
  if (finalGrant.supersedes)
    actions.push(
      supersedeAction(table, finalGrant.citizenId, finalGrant.supersedes, {
        finalGrantId: finalGrant.finalGrantId,
        at: approval.approvedAt,
      }),
    );
  actions.push({ name: 'event', action: approval.event });
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (!(error instanceof NamedTransactionConflict)) throw error;
    const first = error.failedNames()[0];
    if (first === 'conversion') throw new ConversionNotProposed(conversion.conversionId);
    if (first === 'profile' || error.contended()) throw new ProfileChanged(conversion.citizenId);
    throw new FinalGrantChanged(conversion.citizenId);
  }
}

function approveAction(table: Table, approval: Approval): NamedAction {
  const change = updateParts({
    set: {
      status: 'approved',
      approvedBy: approval.approvedBy,
      approvedAt: approval.approvedAt,
      finalGrantId: approval.finalGrant.finalGrantId,
      approvalNote: approval.note,
    },
  });
  return {
    name: 'conversion',
    action: {
      Update: {
        TableName: table.name,
        Key: conversionKeys.conversion(approval.conversion.conversionId),
        UpdateExpression: change.UpdateExpression,
        ConditionExpression: '#status = :proposed',
        ExpressionAttributeNames: { ...change.ExpressionAttributeNames, '#status': 'status' },
        ExpressionAttributeValues: { ...change.ExpressionAttributeValues, ':proposed': 'proposed' },
      },
    },
  };
}
