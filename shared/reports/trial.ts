import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import { auditLogOf } from '#shared/audit/audit.ts';
import { dispenserReportSchema } from '#shared/dispensers/model.ts';
import { adherenceOfCitizens, teamDispensersOn } from '#shared/dispensers/report.ts';
import { addDays, localDate, startOfLocalDate } from '#shared/dispensers/schedule.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ValidationError } from '#shared/platform/errors.ts';
import type { VisitRecord } from '#shared/visits/model.ts';
import { finalGrantHistories, teamReversions } from './history.ts';
import { periodFigures, periodFiguresSchema } from './period-figures.ts';
import { reversionReasonCodes, type Reversion } from '#shared/conversion/reversions.ts';
import { citizensWithDispenserIn, teamVisitsStartingBetween } from './report-store.ts';
import { getSavingsModel, savingsModelSchema } from './savings-model.ts';

/**
 * The trial evaluation the municipality judges the E-team on (domain step 5), for one team and
 * one period of local dates, computed from the history as it stood day by day: the final-grant
 * versions in force each day, each visit's status as it stood when the period ended, the dose
 * plan versions in force at each dose. A report for a period that has ended never changes
 * because of later approvals, revisions, ends or visit changes.
 */
export const MAX_TRIAL_REPORT_DAYS = 366;

const visitCountsSchema = z.object({
  total: z.number().int(),
  /** Completed and delivered (wholly or partly). */
  completed: z.number().int(),
  /** Completed, but the worker recorded that the care was not delivered. */
  notDelivered: z.number().int(),
  missed: z.number().int(),
  cancelled: z.number().int(),
  /** Still scheduled or in progress when the period ended (or now, for a period still running). */
  open: z.number().int(),
  /** Completed ÷ (completed + not delivered + missed); null when none of these happened. */
  completionRate: z.number().nullable(),
});

export const trialReportSchema = z
  .object({
    team: z.string(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    /** The assumptions behind the minutes and hours (the municipality sets them). */
    savingsModel: savingsModelSchema,
    conversion: periodFiguresSchema,
    screenVisits: visitCountsSchema,
    /** Technology lines reverted to physical delivery in the period, by reason code (the learning loop). */
    reversions: z.object({
      total: z.number().int(),
      byReason: z.record(z.enum(reversionReasonCodes), z.number().int()),
      byTechnology: z.object({ screen_visit: z.number().int(), medication_technology: z.number().int() }),
      otherReasons: z.array(z.string()),
    }),
    adherence: dispenserReportSchema.shape.adherence,
    dispensersOnLastDay: dispenserReportSchema.shape.activeDispensers,
    citizensWithDispenser: z.number().int(),
  })
  .openapi('TrialReport');
export type TrialReport = z.infer<typeof trialReportSchema>;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

type Outcome = 'completed' | 'notDelivered' | 'missed' | 'cancelled' | 'open';

/** A visit's outcome as it stood at `asOf`: a status reached later was not known then. */
export function visitOutcomeAsOf(
  visit: Pick<VisitRecord, 'status' | 'completedAt' | 'cancelledAt' | 'missedAt' | 'outcome'>,
  asOf: string,
): Outcome {
  if (visit.status === 'completed' && visit.completedAt !== undefined && visit.completedAt < asOf)
    return visit.outcome?.result === 'not-delivered' ? 'notDelivered' : 'completed';
  if (visit.status === 'missed' && visit.missedAt !== undefined && visit.missedAt < asOf) return 'missed';
  if (visit.status === 'cancelled' && visit.cancelledAt !== undefined && visit.cancelledAt < asOf) return 'cancelled';
  return 'open';
}

export function countVisits(
  visits: readonly Pick<VisitRecord, 'status' | 'completedAt' | 'cancelledAt' | 'missedAt' | 'outcome'>[],
  asOf: string,
) {
  const counts: Record<Outcome, number> = { completed: 0, notDelivered: 0, missed: 0, cancelled: 0, open: 0 };
  for (const v of visits) counts[visitOutcomeAsOf(v, asOf)] += 1;
  const decided = counts.completed + counts.notDelivered + counts.missed;
  return {
    total: visits.length,
    ...counts,
    completionRate: decided === 0 ? null : round(counts.completed / decided, 3),
  };
}

export function summariseReversions(reversions: readonly Reversion[]): TrialReport['reversions'] {
  const byReason = Object.fromEntries(reversionReasonCodes.map((c) => [c, 0])) as Record<
    (typeof reversionReasonCodes)[number],
    number
  >;
  const byTechnology = { screen_visit: 0, medication_technology: 0 };
  for (const r of reversions) {
    byReason[r.reasonCode] += 1;
    byTechnology[r.technology] += 1;
  }
  return {
    total: reversions.length,
    byReason,
    byTechnology,
    otherReasons: reversions.filter((r) => r.reasonCode === 'other' && r.reasonText).map((r) => r.reasonText ?? ''),
  };
}

export function checkPeriod(from: string, to: string): number {
  const days =
    Math.round(DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days) + 1;
  if (days < 1)
    throw new ValidationError('`to` is before `from`.', [{ field: 'query/to', message: 'must not be before from' }]);
  if (days > MAX_TRIAL_REPORT_DAYS)
    throw new ValidationError(`A report covers at most ${MAX_TRIAL_REPORT_DAYS} days.`, [
      { field: 'query/to', message: `at most ${MAX_TRIAL_REPORT_DAYS} days after from` },
    ]);
  return days;
}

export async function trialReport(
  deps: Deps,
  ctx: RequestContext,
  period: { from: string; to: string },
): Promise<TrialReport> {
  const { from, to } = period;
  const zone = deps.config.TIME_ZONE;
  checkPeriod(from, to);
  const team = ctx.actor.team;
  const today = localDate(ctx.now, zone);
  const through = to < today ? to : today;
  const startUtc = startOfLocalDate(from, zone).toISOString();
  const endUtc = startOfLocalDate(addDays(to, 1), zone).toISOString();
  // Statuses as they stood when the period ended, or now while it runs.
  // (Just after now, so what happened at this very instant counts.)
  const asOf =
    endUtc < ctx.now.toISOString()
      ? endUtc
      : (DateTime.fromJSDate(ctx.now, { zone: 'utc' }).plus({ milliseconds: 1 }).toISO() ?? '');

  const [model, histories, teamVisits, reversions, onLastDay, withDispenser] = await Promise.all([
    getSavingsModel(deps),
    finalGrantHistories(deps, team),
    teamVisitsStartingBetween(deps.table, team, startUtc, endUtc),
    teamReversions(deps, team, startUtc, asOf),
    teamDispensersOn(deps, team, to),
    citizensWithDispenserIn(deps.table, team, startUtc, endUtc),
  ]);
  const { setBy: _by, setAt: _at, ...savingsModel } = model;
  const conversion = periodFigures(histories, from, from <= through ? through : null, zone, savingsModel);
  const visits = teamVisits.filter((v) => v.start < endUtc && v.createdAt < asOf);
  const adherence = await adherenceOfCitizens(deps, withDispenser, from, to, ctx.now);

  const readCitizens = [...new Set([...withDispenser, ...onLastDay.citizens])];
  if (readCitizens.length) {
    await auditLogOf(deps).recordRead(
      ctx,
      ...readCitizens.map((citizenId) => ({
        action: 'report.read' as const,
        resource: `reports/trial?from=${from}&to=${to}`,
        citizenId,
      })),
    );
  }
  return {
    team,
    from,
    to,
    timeZone: zone,
    savingsModel,
    conversion,
    screenVisits: countVisits(visits, asOf),
    reversions: summariseReversions(reversions),
    adherence,
    dispensersOnLastDay: onLastDay.activeDispensers,
    citizensWithDispenser: onLastDay.citizens.length,
  };
}
