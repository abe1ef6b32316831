import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import { requireVisibleCitizen, visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { citizenKeys, dispenserKeys } from '#shared/table/keys.ts';
import { getItems } from '#shared/table/store.ts';
import type { DosePlan, DosePlanInput } from './model.ts';
import { requirePlanTimes } from './plan-start.ts';
import { localDate, startOfLocalDate, type DosePlanRule, type DosePlanVersion } from './schedule.ts';
import {
  DosePlanChanged,
  queryPlanVersions,
  readDispenserClaim,
  readPlanItem,
  readPlanWithVersions,
  toVersion,
  writePlan,
  type DosePlanItem,
} from './dose-plan-store.ts';

export type { DosePlanItem } from './dose-plan-store.ts';

/**
 * A citizen's dose plan: the dose times a day (wall clock in TIME_ZONE), the on-time tolerance and
 * the validity. Every change is kept as a version that rules doses from the moment it took effect,
 * so editing today's times never rewrites last month's adherence. The assigned dispenser carries a
 * copy (updated in the same transaction) so ingest and the jobs read one item.
 */
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

/** What a plan change is checked against: the current plan, its versions, the citizen's dispenser claim. */
export interface PlanState {
  current: DosePlanItem | undefined;
  versions: DosePlanVersion[];
  claim: { dispenserId: string } | undefined;
}

/**
 * The plan after a change. The first plan rules from the start of its validFrom; a change rules
 * from now (or from its validFrom, if later), and versions that were to start later are dropped.
 */
export function decidePlan(
  state: Pick<PlanState, 'current' | 'versions'>,
  citizenId: string,
  change: PlanChange,
  by: { who: string; now: Date; zone: string; defaultOnTimeMinutes: number },
): { plan: DosePlan; version: DosePlanVersion; kept: DosePlanVersion[]; dropped: DosePlanVersion[] } {
  const { current, versions } = state;
  requirePlanTimes(change, current, localDate(by.now, by.zone));
  const validStart = startOfLocalDate(change.validFrom, by.zone).getTime();
  const effectiveFrom = new Date(current ? Math.max(validStart, by.now.getTime()) : validStart).toISOString();
  const plan: DosePlan = {
    citizenId,
    times: [...change.times].sort(),
    onTimeMinutes: change.onTimeMinutes ?? by.defaultOnTimeMinutes,
    validFrom: change.validFrom,
    ...(change.validTo ? { validTo: change.validTo } : {}),
    timeZone: by.zone,
    ...(change.finalGrantId ? { finalGrantId: change.finalGrantId } : {}),
    ...(change.grantId ? { grantId: change.grantId } : {}),
    effectiveFrom,
    version: (current?.version ?? 0) + 1,
    updatedAt: by.now.toISOString(),
    updatedBy: by.who,
  };
  const version: DosePlanVersion = { ...planRuleOf(plan), effectiveFrom };
  // A version at the same instant is replaced (same key), later ones are dropped.
  const kept = [...versions.filter((v) => v.effectiveFrom < effectiveFrom), version].sort((a, b) =>
    a.effectiveFrom.localeCompare(b.effectiveFrom),
  );
  return { plan, version, kept, dropped: versions.filter((v) => v.effectiveFrom > effectiveFrom) };
}

/** Sets the plan (read → decide → write); `loaded` is what the caller has read already. */
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
    (await Promise.all([readPlanWithVersions(deps.table, citizenId), readDispenserClaim(deps.table, citizenId)]).then(
      ([plan, found]): PlanState => ({ ...plan, claim: found }),
    ));
  const by = 'actor' in ctx ? ctx.actor.sub : ctx.system;
  const decided = decidePlan(state, citizenId, change, {
    who: by,
    now: ctx.now,
    zone,
    defaultOnTimeMinutes: deps.config.DOSE_ON_TIME_MINUTES,
  });
  const audit = auditLogOf(deps).item(ctx, {
    action: 'dose-plan.update',
    resource: `citizens/${citizenId}/dose-plan`,
    citizenId,
  });
  try {
    await writePlan(deps.table, {
      ...decided,
      expectedVersion: state.current?.version,
      claim: state.claim,
      rule: planRuleOf(decided.plan),
      with: [audit],
    });
  } catch (error) {
    if (error instanceof DosePlanChanged)
      throw new ConflictError(
        `The dose plan of ${citizenId} changed meanwhile; reload it and try again.`,
        'dose-plan-changed',
      );
    throw error;
  }
  return decided.plan;
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
    readPlanWithVersions(deps.table, citizenId),
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
  const item = await readPlanItem(deps.table, citizenId);
  if (!item) throw new NotFoundError(`The dose plan of ${citizenId}`);
  await auditLogOf(deps).recordRead(ctx, {
    action: 'dose-plan.read',
    resource: `citizens/${citizenId}/dose-plan`,
    citizenId,
  });
  return toPlan(item);
}

export async function currentPlan(deps: Deps, citizenId: string): Promise<DosePlan | undefined> {
  const item = await readPlanItem(deps.table, citizenId, true);
  return item ? toPlan(item) : undefined;
}

/** Every version of a citizen's plan (a small slice of the citizen's partition). */
export async function planVersions(deps: Deps, citizenId: string): Promise<DosePlanVersion[]> {
  return queryPlanVersions(deps.table, citizenId);
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
