import { DateTime } from 'luxon';
import type { SystemContext } from '#shared/audit/audit.ts';
import { finalGrantApprovedSchema } from '#shared/conversion/plan.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { currentPlan, writeDosePlan } from './dose-plan.ts';

/**
 * An approved final grant sets the citizen's dose plan from its medication-technology part.
 * Redelivery is harmless: a plan that already came from this final grant is left alone. A final
 * grant without medication technology ends the current plan on the approval date, because the
 * dispenser no longer delivers that benefit.
 */
export async function applyFinalGrantDosePlan(deps: Deps, event: DomainEvent): Promise<void> {
  const detail = finalGrantApprovedSchema.parse(event.detail);
  const ctx: SystemContext = {
    system: 'final-grant-approved',
    requestId: newId('evt', deps.clock.now()),
    now: deps.clock.now(),
  };
  const current = await currentPlan(deps, detail.citizenId);
  if (current?.finalGrantId === detail.finalGrantId) return;
  const today =
    DateTime.fromJSDate(ctx.now, { zone: deps.config.TIME_ZONE }).toISODate() ?? detail.approvedAt.slice(0, 10);
  if (detail.dosePlan) {
    await writeDosePlan(deps, ctx, detail.citizenId, {
      times: detail.dosePlan.times,
      // A plan never rewrites doses already counted: an event handled after its day starts the plan today.
      validFrom: current && detail.dosePlan.validFrom < today ? today : detail.dosePlan.validFrom,
      ...(detail.dosePlan.validTo ? { validTo: detail.dosePlan.validTo } : {}),
      ...(current ? { onTimeMinutes: current.onTimeMinutes } : {}),
      finalGrantId: detail.finalGrantId,
      grantId: detail.dosePlan.grantId,
    });
    return;
  }
  if (!current) return;
  const approvedOn =
    DateTime.fromISO(detail.approvedAt, { zone: deps.config.TIME_ZONE }).toISODate() ?? current.validFrom;
  if (current.validTo && current.validTo <= approvedOn) return;
  await writeDosePlan(deps, ctx, detail.citizenId, {
    times: current.times,
    onTimeMinutes: current.onTimeMinutes,
    validFrom: current.validFrom,
    validTo: [approvedOn, current.validFrom, today].sort().at(-1) ?? approvedOn,
    finalGrantId: detail.finalGrantId,
  });
}
