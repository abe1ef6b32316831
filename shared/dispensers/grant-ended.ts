import { DateTime } from 'luxon';
import type { SystemContext } from '#shared/audit/audit.ts';
import type { GrantEnded } from '#shared/conversion/grant-ended.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { currentPlan, writeDosePlan } from './dose-plan.ts';

/**
 * The GrantEnded consumer: the dose plan that delivers the ended benefit gets its `validTo`. A plan
 * never rewrites doses already counted, so an end in the past ends the plan today (the doses in
 * between were counted as planned; the report shows the grant's end from the final grant).
 * Idempotent: a plan that already ends by then is left alone.
 */
export async function endDosePlanWithGrant(deps: Deps, ended: GrantEnded, requestId: string): Promise<boolean> {
  const now = deps.clock.now();
  const sys: SystemContext = { system: 'grant-ended', requestId, now };
  const plan = await currentPlan(deps, ended.citizenId);
  if (!plan || plan.grantId !== ended.grantId) return false;
  const today = DateTime.fromJSDate(now, { zone: deps.config.TIME_ZONE }).toISODate() ?? ended.endDate;
  const validTo = [ended.endDate, today, plan.validFrom].sort().at(-1) ?? ended.endDate;
  if (plan.validTo !== undefined && plan.validTo <= validTo) return false;
  await writeDosePlan(deps, sys, ended.citizenId, {
    times: plan.times,
    onTimeMinutes: plan.onTimeMinutes,
    validFrom: plan.validFrom,
    validTo,
    finalGrantId: plan.finalGrantId,
    grantId: plan.grantId,
  });
  return true;
}
