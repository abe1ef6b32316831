import { DateTime } from 'luxon';
import { auditLogOf } from '#shared/audit/audit.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { dispenserKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import { computeAdherence } from './adherence.ts';
import { dispenserPeriodSchema, type DispenserReport } from './model.ts';
import { addCounts, addDays, adherenceRates, emptyCounts, startOfLocalDate } from './schedule.ts';

/**
 * GET /reports/dispensers?date= — the monthly status the municipality reports upward, for the
 * lead's team. Municipalities pay per active dispenser per month, so the count comes from the
 * assignment history (periods), not from today's status: a dispenser counts on a date when one
 * of its periods covers any moment of that local date; it counts as `active` when an active
 * period does, else as `trial`. Adherence is over the month before the date (date − 1 month up
 * to the day before), summed over the citizens who had a dispenser on the date.
 */
/**
 * The team's dispensers that were with a citizen at any moment of a local date, grouped by
 * vendor and model, and the citizens who had them: the exact count municipalities pay for.
 */
export async function teamDispensersOn(deps: Deps, team: string, date: string) {
  const zone = deps.config.TIME_ZONE;
  const dayStart = startOfLocalDate(date, zone).toISOString();
  const dayEnd = startOfLocalDate(addDays(date, 1), zone).toISOString();
  // Periods that started before the day ended; those that also ended before it began drop out.
  const periods = (
    await queryAll(
      deps.table,
      {
        index: 'gsi1',
        partition: ['gsi1pk', dispenserKeys.teamPeriodsPartition(team)],
        sort: { attribute: 'gsi1sk', lte: dayEnd },
      },
      100_000,
    )
  )
    .map((item) => dispenserPeriodSchema.parse(item))
    .filter((p) => p.from < dayEnd && (!p.to || p.to > dayStart));

  const dispensers = new Map<string, { vendor: string; model: string; active: boolean }>();
  for (const p of periods) {
    const seen = dispensers.get(p.dispenserId);
    dispensers.set(p.dispenserId, {
      vendor: p.vendor,
      model: p.model,
      active: (seen?.active ?? false) || p.status === 'active',
    });
  }
  const groups = new Map<string, { vendor: string; model: string; total: number; active: number; trial: number }>();
  for (const d of dispensers.values()) {
    const key = `${d.vendor}\u0000${d.model}`;
    const g = groups.get(key) ?? { vendor: d.vendor, model: d.model, total: 0, active: 0, trial: 0 };
    g.total++;
    if (d.active) g.active++;
    else g.trial++;
    groups.set(key, g);
  }
  const byVendorModel = [...groups.values()].sort(
    (a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model),
  );
  return {
    activeDispensers: {
      total: dispensers.size,
      active: byVendorModel.reduce((n, g) => n + g.active, 0),
      trial: byVendorModel.reduce((n, g) => n + g.trial, 0),
      byVendorModel,
    },
    citizens: [...new Set(periods.map((p) => p.citizenId))],
  };
}

/** Adherence counts summed over citizens, a few at a time (each is three Queries). */
export async function adherenceOfCitizens(
  deps: Deps,
  citizenIds: readonly string[],
  from: string,
  to: string,
  now: Date,
) {
  let counts = emptyCounts();
  for (let i = 0; i < citizenIds.length; i += 10) {
    const results = await Promise.all(
      citizenIds.slice(i, i + 10).map((citizenId) => computeAdherence(deps, citizenId, from, to, now)),
    );
    for (const r of results) counts = addCounts(counts, r.counts);
  }
  return { from, to, counts, rates: adherenceRates(counts) };
}

export async function dispenserReport(deps: Deps, ctx: RequestContext, date: string): Promise<DispenserReport> {
  const zone = deps.config.TIME_ZONE;
  const team = ctx.actor.team;
  const { activeDispensers, citizens } = await teamDispensersOn(deps, team, date);
  const from = DateTime.fromISO(date, { zone }).minus({ months: 1 }).toISODate() ?? date;
  const adherence = await adherenceOfCitizens(deps, citizens, from, addDays(date, -1), ctx.now);
  if (citizens.length) {
    await auditLogOf(deps).recordRead(
      ctx,
      ...citizens.map((citizenId) => ({
        action: 'report.read' as const,
        resource: `reports/dispensers?date=${date}`,
        citizenId,
      })),
    );
  }
  return {
    date,
    team,
    timeZone: zone,
    activeDispensers,
    citizensWithDispenser: citizens.length,
    adherence,
  };
}
