import { z } from '@hono/zod-openapi';
import { auditLog } from '../audit/audit.ts';
import { teamConversionFigures, teamConversionFiguresSchema } from '../conversion/final-grants.ts';
import { dispenserReportSchema } from '../dispensers/model.ts';
import { adherenceOfCitizens, teamDispensersOn } from '../dispensers/report.ts';
import { addDays, startOfLocalDate } from '../dispensers/schedule.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Deps } from '../platform/deps.ts';
import { ValidationError } from '../platform/errors.ts';
import { visitStatuses } from '../visits/model.ts';
import { visitKeys } from '../table/keys.ts';
import { queryAll } from '../table/store.ts';

/**
 * The trial evaluation the municipality judges the E-team on (domain step 5): share of granted
 * benefits delivered digitally and staff time and driving saved (from the current final grants),
 * screen visits completed versus missed, dose adherence, and dispensers with citizens on the
 * last day. One team, one period of local dates.
 */
export const MAX_TRIAL_REPORT_DAYS = 366;

export const trialReportSchema = z
  .object({
    team: z.string(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    conversion: teamConversionFiguresSchema.extend({
      /** Digital occurrences a week × travel minutes per visit: driving no longer needed. */
      travelMinutesSavedPerWeek: z.number(),
      /** Staff minutes saved per week × weeks in the period, in hours: an estimate from today's final grants. */
      estimatedStaffHoursSavedInPeriod: z.number(),
    }),
    screenVisits: z.object({
      total: z.number().int(),
      byStatus: z.record(z.enum(visitStatuses), z.number().int()),
      /** Completed ÷ (completed + missed); null when neither happened. */
      completionRate: z.number().nullable(),
    }),
    adherence: dispenserReportSchema.shape.adherence,
    dispensersOnLastDay: dispenserReportSchema.shape.activeDispensers,
    citizensWithDispenser: z.number().int(),
  })
  .openapi('TrialReport');
export type TrialReport = z.infer<typeof trialReportSchema>;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function trialReport(deps: Deps, ctx: RequestContext, period: { from: string; to: string }): Promise<TrialReport> {
  const { from, to } = period;
  const zone = deps.config.TIME_ZONE;
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  if (days < 1) throw new ValidationError('`to` is before `from`.', [{ field: 'query/to', message: 'must not be before from' }]);
  if (days > MAX_TRIAL_REPORT_DAYS) throw new ValidationError(`A report covers at most ${MAX_TRIAL_REPORT_DAYS} days.`, [{ field: 'query/to', message: `at most ${MAX_TRIAL_REPORT_DAYS} days after from` }]);
  const team = ctx.actor.team;

  const [figures, visits, onLastDay] = await Promise.all([
    teamConversionFigures(deps, team, to),
    queryAll<{ status: (typeof visitStatuses)[number] }>(deps.table, {
      index: 'gsi3',
      partition: ['gsi3pk', visitKeys.teamPartition(team)],
      sort: { attribute: 'gsi3sk', between: [startOfLocalDate(from, zone).toISOString(), startOfLocalDate(addDays(to, 1), zone).toISOString()] },
    }, 200_000),
    teamDispensersOn(deps, team, to),
  ]);
  const adherence = await adherenceOfCitizens(deps, onLastDay.citizens, from, to, ctx.now);

  const byStatus = Object.fromEntries(visitStatuses.map((s) => [s, 0])) as Record<(typeof visitStatuses)[number], number>;
  for (const visit of visits) byStatus[visit.status] += 1;
  const closed = byStatus.completed + byStatus.missed;

  if (onLastDay.citizens.length) {
    await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(
      ctx,
      ...onLastDay.citizens.map((citizenId) => ({ action: 'report.read' as const, resource: `reports/trial?from=${from}&to=${to}`, citizenId })),
    );
  }
  return {
    team,
    from,
    to,
    timeZone: zone,
    conversion: {
      ...figures,
      travelMinutesSavedPerWeek: figures.digitalOccurrencesPerWeek * figures.travelMinutesPerVisit,
      estimatedStaffHoursSavedInPeriod: round((figures.staffMinutesSavedPerWeek * (days / 7)) / 60),
    },
    screenVisits: { total: visits.length, byStatus, completionRate: closed === 0 ? null : round(byStatus.completed / closed, 3) },
    adherence,
    dispensersOnLastDay: onLastDay.activeDispensers,
    citizensWithDispenser: onLastDay.citizens.length,
  };
}
