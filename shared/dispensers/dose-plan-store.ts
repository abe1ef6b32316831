import { dispenserKeys } from '#shared/table/keys.ts';
import {
  getItem,
  NamedTransactionConflict,
  put,
  queryAll,
  transactNamed,
  updateParts,
  type NamedAction,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import { forgetDispenser } from './dispenser-cache.ts';
import type { DosePlan } from './model.ts';
import type { DosePlanRule, DosePlanVersion } from './schedule.ts';

/**
 * The dose plan's repository: the plan item (with its versions), the version items, and the
 * transaction that replaces the plan together with the assigned dispenser's copy of it.
 */

export type DosePlanItem = DosePlan & {
  pk: string;
  sk: string;
  entity: 'DosePlan';
  /**
   * Every version (as the DOSEPLAN#V# items), written in the same transaction, so a reader of
   * adherence gets plan and history in the item it reads anyway. Absent on plans written before.
   */
  versions?: DosePlanVersion[];
};

/** The plan, a dispenser's copy of it or the citizen's dispenser claim changed since they were read. */
export class DosePlanChanged extends Error {
  override readonly name = 'DosePlanChanged';
}

export const toVersion = (v: DosePlanVersion): DosePlanVersion => ({
  times: v.times,
  onTimeMinutes: v.onTimeMinutes,
  validFrom: v.validFrom,
  ...(v.validTo ? { validTo: v.validTo } : {}),
  effectiveFrom: v.effectiveFrom,
});

/**
 * The plan and its versions in one consistent Query: their sort keys share the plan's key as
 * prefix (`DOSEPLAN`, `DOSEPLAN#V#…`), and nothing else of the citizen's partition does.
 */
export async function readPlanWithVersions(
  table: Table,
  citizenId: string,
): Promise<{ current: DosePlanItem | undefined; versions: DosePlanVersion[] }> {
  const planKey = dispenserKeys.dosePlan(citizenId);
  const items = await queryAll<Record<string, unknown> & { sk: string }>(table, {
    partition: ['pk', planKey.pk],
    sort: { attribute: 'sk', beginsWith: planKey.sk },
    consistent: true,
  });
  return {
    current: items.find((i) => i.sk === planKey.sk) as DosePlanItem | undefined,
    versions: items
      .filter((i) => i.sk.startsWith(dispenserKeys.dosePlanVersionPrefix))
      .map((i) => toVersion(i as unknown as DosePlanVersion)),
  };
}

/** Which dispenser the citizen has (its claim), if any. */
export async function readDispenserClaim(
  table: Table,
  citizenId: string,
): Promise<{ dispenserId: string } | undefined> {
  return getItem<{ dispenserId: string }>(table, dispenserKeys.citizenDispenser(citizenId), { consistent: true });
}

export async function readPlanItem(
  table: Table,
  citizenId: string,
  consistent = false,
): Promise<DosePlanItem | undefined> {
  return getItem<DosePlanItem>(table, dispenserKeys.dosePlan(citizenId), { consistent });
}

/** Every version of a citizen's plan (a small slice of the citizen's partition). */
export async function queryPlanVersions(table: Table, citizenId: string): Promise<DosePlanVersion[]> {
  const items = await queryAll<DosePlanVersion & Record<string, unknown>>(table, {
    partition: ['pk', dispenserKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: dispenserKeys.dosePlanVersionPrefix },
  });
  return items.map(toVersion);
}

export interface PlanWrite {
  readonly plan: DosePlan;
  /** The versions the plan item carries after the change (the new one included). */
  readonly kept: readonly DosePlanVersion[];
  readonly version: DosePlanVersion;
  /** Versions that were to start later: their items go. */
  readonly dropped: readonly DosePlanVersion[];
  /** The version the plan was read at (undefined: there was none). */
  readonly expectedVersion: number | undefined;
  /** The citizen's dispenser, whose copy of the plan is updated; undefined: the citizen must still have none. */
  readonly claim: { dispenserId: string } | undefined;
  readonly rule: DosePlanRule;
  readonly with: readonly TransactItem[];
}

function planPut(table: Table, w: PlanWrite): TransactItem {
  const item = { ...dispenserKeys.dosePlan(w.plan.citizenId), entity: 'DosePlan', ...w.plan, versions: w.kept };
  return {
    Put: {
      TableName: table.name,
      Item: item,
      ...(w.expectedVersion !== undefined
        ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': w.expectedVersion } }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

/** The dispenser's copy, conditional on it still being this citizen's; or a check that the citizen still has none. */
function dispenserCopy(table: Table, w: PlanWrite): TransactItem {
  const citizenId = w.plan.citizenId;
  if (!w.claim)
    return {
      ConditionCheck: {
        TableName: table.name,
        Key: dispenserKeys.citizenDispenser(citizenId),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  const parts = updateParts({ set: { dosePlan: w.rule } });
  return {
    Update: {
      TableName: table.name,
      Key: dispenserKeys.dispenser(w.claim.dispenserId),
      ...parts,
      ConditionExpression: 'assignment.citizenId = :c',
      ExpressionAttributeValues: { ...parts.ExpressionAttributeValues, ':c': citizenId },
    },
  };
}

/** Replaces the plan, its version items and the dispenser's copy in one transaction. */
export async function writePlan(table: Table, w: PlanWrite): Promise<void> {
  const citizenId = w.plan.citizenId;
  const actions: NamedAction[] = [
    { name: 'plan', action: planPut(table, w) },
    {
      name: 'version',
      action: put(table, {
        ...dispenserKeys.dosePlanVersion(citizenId, w.version.effectiveFrom),
        entity: 'DosePlanVersion',
        ...w.version,
      }),
    },
    ...w.dropped.map((v) => ({
      name: 'dropVersion',
      action: { Delete: { TableName: table.name, Key: dispenserKeys.dosePlanVersion(citizenId, v.effectiveFrom) } },
    })),
    ...w.with.map((action) => ({ name: 'record', action })),
    { name: 'dispenser', action: dispenserCopy(table, w) },
  ];
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new DosePlanChanged(error.failedNames().join(', '));
    throw error;
  } finally {
    // The dispenser's plan copy changed: this process's device posts match doses on a fresh read.
    if (w.claim) forgetDispenser(table, w.claim.dispenserId);
  }
}
