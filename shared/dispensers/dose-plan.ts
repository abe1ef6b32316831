import { auditLog, type SystemContext } from '#shared/audit/audit.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { citizenKeys, dispenserKeys } from '#shared/table/keys.ts';
import {
  getItem,
  getItems,
  put,
  queryAll,
  transactWrite,
  TransactionConflict,
  type TransactItem,
} from '#shared/table/store.ts';
import type { DosePlan, DosePlanInput } from './model.ts';
import { requirePlanTimes } from './plan-start.ts';
import { localDate, startOfLocalDate, type DosePlanRule, type DosePlanVersion } from './schedule.ts';
import { updateItem } from './store.ts';

/**
 * A citizen's dose plan: the dose times a day (wall clock in TIME_ZONE), the on-time tolerance and
 * the validity. Every change is kept as a version that rules doses from the moment it took effect,
 * so editing today's times never rewrites last month's adherence. The assigned dispenser carries a
 * copy (updated in the same transaction) so ingest and the jobs read one item.
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

export const planRuleOf = (
  plan: Pick<DosePlan, 'times' | 'onTimeMinutes' | 'validFrom' | 'validTo'>,
): DosePlanRule => ({
  times: [...plan.times],
  onTimeMinutes: plan.onTimeMinutes,
  validFrom: plan.validFrom,
  ...(plan.validTo ? { validTo: plan.validTo } : {}),
});

const toPlan = (item: DosePlanItem): DosePlan => {
  const { pk: _pk, sk: _sk, entity: _e, versions: _v, ...plan } = item;
  return plan;
};

export interface PlanChange extends DosePlanInput {
  finalGrantId?: string | undefined;
  grantId?: string | undefined;
}

/**
 * Sets the plan. The first plan rules from the start of its validFrom; a change rules from now (or
 * from its validFrom, if later), and versions that were to start later are dropped.
 */
/** What a plan change is checked against: the current plan, its versions, the citizen's dispenser claim. */
export interface PlanState {
  current: DosePlanItem | undefined;
  versions: DosePlanVersion[];
  claim: { dispenserId: string } | undefined;
}

const toVersion = (v: DosePlanVersion): DosePlanVersion => ({
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
async function planWithVersions(deps: Deps, citizenId: string): Promise<Pick<PlanState, 'current' | 'versions'>> {
  const planKey = dispenserKeys.dosePlan(citizenId);
  const items = await queryAll<Record<string, unknown> & { sk: string }>(deps.table, {
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

export async function writeDosePlan(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  citizenId: string,
  change: PlanChange,
  loaded?: PlanState,
): Promise<DosePlan> {
  const zone = deps.config.TIME_ZONE;
  const state: PlanState =
    loaded ??
    (await Promise.all([
      planWithVersions(deps, citizenId),
      getItem<{ dispenserId: string }>(deps.table, dispenserKeys.citizenDispenser(citizenId), { consistent: true }),
    ]).then(([plan, found]): PlanState => ({ ...plan, claim: found })));
  const { current, claim, versions } = state;
  requirePlanTimes(change, current, localDate(ctx.now, zone));
  const validStart = startOfLocalDate(change.validFrom, zone).getTime();
  const effectiveFrom = new Date(current ? Math.max(validStart, ctx.now.getTime()) : validStart).toISOString();
  const by = 'actor' in ctx ? ctx.actor.sub : ctx.system;
  const plan: DosePlan = {
    citizenId,
    times: [...change.times].sort(),
    onTimeMinutes: change.onTimeMinutes ?? deps.config.DOSE_ON_TIME_MINUTES,
    validFrom: change.validFrom,
    ...(change.validTo ? { validTo: change.validTo } : {}),
    timeZone: zone,
    ...(change.finalGrantId ? { finalGrantId: change.finalGrantId } : {}),
    ...(change.grantId ? { grantId: change.grantId } : {}),
    effectiveFrom,
    version: (current?.version ?? 0) + 1,
    updatedAt: ctx.now.toISOString(),
    updatedBy: by,
  };
  const version: DosePlanVersion = { ...planRuleOf(plan), effectiveFrom };
  // A version at the same instant is replaced (same key), later ones are dropped below.
  const keptVersions = [...versions.filter((v) => v.effectiveFrom < effectiveFrom), version].sort((a, b) =>
    a.effectiveFrom.localeCompare(b.effectiveFrom),
  );
  const items: TransactItem[] = [
    {
      Put: {
        TableName: deps.table.name,
        Item: { ...dispenserKeys.dosePlan(citizenId), entity: 'DosePlan', ...plan, versions: keptVersions },
        ...(current
          ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': current.version } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
    put(deps.table, {
      ...dispenserKeys.dosePlanVersion(citizenId, effectiveFrom),
      entity: 'DosePlanVersion',
      ...version,
    }),
    ...versions
      .filter((v) => v.effectiveFrom > effectiveFrom)
      .map((v): TransactItem => ({
        Delete: { TableName: deps.table.name, Key: dispenserKeys.dosePlanVersion(citizenId, v.effectiveFrom) },
      })),
    auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
      action: 'dose-plan.update',
      resource: `citizens/${citizenId}/dose-plan`,
      citizenId,
    }),
  ];
  if (claim) {
    // The dispenser's copy, conditional on it still being this citizen's.
    items.push(
      updateItem(deps.table, dispenserKeys.dispenser(claim.dispenserId), {
        set: { dosePlan: planRuleOf(plan) },
        condition: 'assignment.citizenId = :c',
        values: { ':c': citizenId },
      }),
    );
  } else {
    items.push({
      ConditionCheck: {
        TableName: deps.table.name,
        Key: dispenserKeys.citizenDispenser(citizenId),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  try {
    await transactWrite(deps.table, items);
  } catch (error) {
    if (error instanceof TransactionConflict)
      throw new ConflictError(
        `The dose plan of ${citizenId} changed meanwhile; reload it and try again.`,
        'dose-plan-changed',
      );
    throw error;
  }
  return plan;
}

/** PUT /citizens/{id}/dose-plan. */
export async function setDosePlan(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: DosePlanInput,
): Promise<DosePlan> {
  // Two reads in parallel (citizen + dispenser claim in one BatchGetItem; plan + versions in one
  // Query); nothing is answered before the visibility check below.
  const [[citizenItem, claimItem], plan] = await Promise.all([
    getItems(deps.table, [citizenKeys.profile(citizenId), dispenserKeys.citizenDispenser(citizenId)], {
      consistent: true,
      now: ctx.now,
    }),
    planWithVersions(deps, citizenId),
  ]);
  visibleCitizenFrom(citizenItem, ctx.actor);
  const claim = claimItem ? { dispenserId: String(claimItem.dispenserId) } : undefined;
  // An edit by staff keeps the plan's origin in the final grant.
  return writeDosePlan(
    deps,
    ctx,
    citizenId,
    { ...input, finalGrantId: plan.current?.finalGrantId, grantId: plan.current?.grantId },
    { ...plan, claim },
  );
}

/** GET /citizens/{id}/dose-plan: the current plan (404 when the citizen has none). */
export async function getDosePlan(deps: Deps, ctx: RequestContext, citizenId: string): Promise<DosePlan> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const item = await getItem<DosePlanItem>(deps.table, dispenserKeys.dosePlan(citizenId));
  if (!item) throw new NotFoundError(`The dose plan of ${citizenId}`);
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
    action: 'dose-plan.read',
    resource: `citizens/${citizenId}/dose-plan`,
    citizenId,
  });
  return toPlan(item);
}

export async function currentPlan(deps: Deps, citizenId: string): Promise<DosePlan | undefined> {
  const item = await getItem<DosePlanItem>(deps.table, dispenserKeys.dosePlan(citizenId), { consistent: true });
  return item ? toPlan(item) : undefined;
}

/** Every version of a citizen's plan (a small slice of the citizen's partition). */
export async function planVersions(deps: Deps, citizenId: string): Promise<DosePlanVersion[]> {
  const items = await queryAll<DosePlanVersion & Record<string, unknown>>(deps.table, {
    partition: ['pk', dispenserKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: dispenserKeys.dosePlanVersionPrefix },
  });
  return items.map(toVersion);
}

/** The versions from a plan item already read; a plan written before it carried them is queried. */
export async function versionsOf(
  deps: Deps,
  citizenId: string,
  planItem: Record<string, unknown> | undefined,
): Promise<DosePlanVersion[]> {
  if (!planItem) return [];
  const versions = (planItem as Partial<DosePlanItem>).versions;
  return versions ? versions.map(toVersion) : planVersions(deps, citizenId);
}
