import * as z from '#shared/platform/zod.ts';
import { dispenserReportSchema } from '#shared/dispensers/model.ts';
import { teamDispensersOn } from '#shared/dispensers/report.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { DateTime } from 'luxon';
import { finalGrantHistories } from './history.ts';
import { periodFigures, type FinalGrantVersion } from './period-figures.ts';
import { readTargets, writeTargets } from './report-store.ts';
import { rollupMetrics, type RollupMetric, type Targets, type TargetsInput } from './settings.ts';
import { getSavingsModel } from './savings-model.ts';

export {
  rollupMetrics,
  targetsInputSchema,
  targetsSchema,
  type RollupMetric,
  type Targets,
  type TargetsInput,
} from './settings.ts';

/**
 * The municipality's roll-up across its E-teams on a reporting date (Oslo's monthly "active per
 * reporting date", Hjørring's mid-way status): per team and in total, the dispensers with a
 * citizen on the date by vendor and model, the citizens with a final grant in force, and the
 * digital share, each from the history as it stood that day, against the targets the
 * municipality sets. Aggregates only: no citizen is named, so nothing is audited per citizen.
 */
const figuresSchema = z.object({
  activeDispensers: dispenserReportSchema.shape.activeDispensers,
  citizensWithFinalGrant: z.number().int(),
  digitalShare: z.number(),
});

export const municipalityReportSchema = z
  .object({
    date: z.string(),
    timeZone: z.string(),
    teams: z.array(figuresSchema.extend({ team: z.string() })),
    total: figuresSchema,
    /** Each target with the value on the date and whether it is on track (linear from trialStartsOn to its due day). */
    midwayStatus: z.object({
      trialStartsOn: z.string().nullable(),
      midwayOn: z.string().nullable(),
      targets: z.array(
        z.object({
          metric: z.enum(rollupMetrics),
          team: z.string().nullable(),
          atLeast: z.number(),
          by: z.string(),
          actual: z.number(),
          /** What a steady pace from trialStartsOn would have reached by the date. */
          expectedByDate: z.number(),
          status: z.enum(['met', 'on_track', 'behind', 'not_started']),
        }),
      ),
    }),
  })
  .openapi('MunicipalityReport');
export type MunicipalityReport = z.infer<typeof municipalityReportSchema>;

export async function getTargets(deps: Deps): Promise<Targets> {
  return (
    (await readTargets(deps.table)) ?? { trialStartsOn: null, midwayOn: null, targets: [], setBy: null, setAt: null }
  );
}

/** PUT /reports/municipality/targets: replaces the targets (no citizen data; who set them is kept). */
export async function setTargets(deps: Deps, ctx: RequestContext, input: TargetsInput): Promise<Targets> {
  const stored: Targets = {
    trialStartsOn: input.trialStartsOn,
    midwayOn: input.midwayOn ?? null,
    targets: input.targets,
    setBy: ctx.actor.sub,
    setAt: ctx.now.toISOString(),
  };
  await writeTargets(deps.table, stored);
  return stored;
}

const days = (from: string, to: string) =>
  Math.round(DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days);

/** The mid-way judgement of one target, as a plain function. */
export function targetStatus(
  target: { atLeast: number; by: string },
  actual: number,
  date: string,
  trialStartsOn: string | null,
) {
  const start = trialStartsOn ?? date;
  const share = date <= start ? 0 : Math.min(1, days(start, date) / Math.max(1, days(start, target.by)));
  const expectedByDate = Math.round(target.atLeast * share * 10_000) / 10_000;
  const status =
    actual >= target.atLeast ? 'met' : date < start ? 'not_started' : actual >= expectedByDate ? 'on_track' : 'behind';
  return { actual, expectedByDate, status } as const;
}

type TeamFigures = MunicipalityReport['teams'][number];
type Histories = Map<string, FinalGrantVersion[]>;

/** Each citizen's history under the team of their latest version; teams named only by a target get none. */
export function historiesByTeam(histories: Histories, targets: Targets): Map<string, Histories> {
  const byTeam = new Map<string, Histories>();
  for (const [citizenId, versions] of histories) {
    const team = versions.at(-1)?.team;
    if (!team) continue;
    const map = byTeam.get(team) ?? new Map<string, FinalGrantVersion[]>();
    map.set(citizenId, versions);
    byTeam.set(team, map);
  }
  for (const t of targets.targets) if (t.team && !byTeam.has(t.team)) byTeam.set(t.team, new Map());
  return byTeam;
}

/** The municipality's dispensers: the teams' counts summed, by vendor and model too. */
export function totalDispensers(teams: readonly TeamFigures[]): TeamFigures['activeDispensers'] {
  const groups = new Map<string, { vendor: string; model: string; total: number; active: number; trial: number }>();
  for (const g of teams.flatMap((t) => t.activeDispensers.byVendorModel)) {
    const key = `${g.vendor}\u0000${g.model}`;
    const sum = groups.get(key) ?? { vendor: g.vendor, model: g.model, total: 0, active: 0, trial: 0 };
    groups.set(key, { ...sum, total: sum.total + g.total, active: sum.active + g.active, trial: sum.trial + g.trial });
  }
  return {
    total: teams.reduce((n, t) => n + t.activeDispensers.total, 0),
    active: teams.reduce((n, t) => n + t.activeDispensers.active, 0),
    trial: teams.reduce((n, t) => n + t.activeDispensers.trial, 0),
    byVendorModel: [...groups.values()].sort(
      (a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model),
    ),
  };
}

/** Each target with its value on the date and its status. */
export function midwayStatus(
  targets: Targets,
  teams: readonly TeamFigures[],
  total: MunicipalityReport['total'],
  date: string,
): MunicipalityReport['midwayStatus'] {
  const valueOf = (metric: RollupMetric, team: string | undefined) => {
    const f = team ? teams.find((t) => t.team === team) : total;
    if (!f) return 0;
    return metric === 'activeDispensers'
      ? f.activeDispensers.total
      : metric === 'citizensWithFinalGrant'
        ? f.citizensWithFinalGrant
        : f.digitalShare;
  };
  return {
    trialStartsOn: targets.trialStartsOn,
    midwayOn: targets.midwayOn,
    targets: targets.targets.map((t) => ({
      metric: t.metric,
      team: t.team ?? null,
      atLeast: t.atLeast,
      by: t.by,
      ...targetStatus(t, valueOf(t.metric, t.team), date, targets.trialStartsOn),
    })),
  };
}

export async function municipalityReport(deps: Deps, date: string): Promise<MunicipalityReport> {
  const zone = deps.config.TIME_ZONE;
  const [targets, model, histories] = await Promise.all([
    getTargets(deps),
    getSavingsModel(deps),
    finalGrantHistories(deps, undefined),
  ]);
  const byTeam = historiesByTeam(histories, targets);
  const teams: TeamFigures[] = [];
  for (const team of [...byTeam.keys()].sort()) {
    const dispensers = await teamDispensersOn(deps, team, date);
    const figures = periodFigures(byTeam.get(team) ?? new Map(), date, date, zone, model);
    teams.push({
      team,
      activeDispensers: dispensers.activeDispensers,
      citizensWithFinalGrant: figures.citizensWithFinalGrantOnLastDay,
      digitalShare: figures.digitalShare,
    });
  }
  const all = periodFigures(histories, date, date, zone, model);
  const total = {
    activeDispensers: totalDispensers(teams),
    citizensWithFinalGrant: all.citizensWithFinalGrantOnLastDay,
    digitalShare: all.digitalShare,
  };
  return { date, timeZone: zone, teams, total, midwayStatus: midwayStatus(targets, teams, total, date) };
}

/** The same report as CSV rows for a spreadsheet: one row per figure, long format (pivot-friendly). */
export function municipalityReportCsv(report: MunicipalityReport): string {
  const rows: (string | number)[][] = [
    ['date', 'section', 'team', 'vendor', 'model', 'metric', 'value', 'target', 'by', 'expected_by_date', 'status'],
  ];
  const figureRows = (team: string, f: MunicipalityReport['total']) => {
    rows.push([report.date, 'figures', team, '', '', 'activeDispensers', f.activeDispensers.total, '', '', '', '']);
    rows.push([
      report.date,
      'figures',
      team,
      '',
      '',
      'activeDispensersPaid',
      f.activeDispensers.active,
      '',
      '',
      '',
      '',
    ]);
    rows.push([report.date, 'figures', team, '', '', 'dispensersOnTrial', f.activeDispensers.trial, '', '', '', '']);
    for (const g of f.activeDispensers.byVendorModel)
      rows.push([report.date, 'dispensers', team, g.vendor, g.model, 'activeDispensers', g.total, '', '', '', '']);
    rows.push([
      report.date,
      'figures',
      team,
      '',
      '',
      'citizensWithFinalGrant',
      f.citizensWithFinalGrant,
      '',
      '',
      '',
      '',
    ]);
    rows.push([report.date, 'figures', team, '', '', 'digitalShare', f.digitalShare, '', '', '', '']);
  };
  for (const t of report.teams) figureRows(t.team, t);
  figureRows('TOTAL', report.total);
  for (const t of report.midwayStatus.targets)
    rows.push([
      report.date,
      'target',
      t.team ?? 'TOTAL',
      '',
      '',
      t.metric,
      t.actual,
      t.atLeast,
      t.by,
      t.expectedByDate,
      t.status,
    ]);
  const cell = (v: string | number) => {
    const s = String(v);
    // Quote what a spreadsheet would split, and defuse formulas (a vendor name starting with =, +, -, @).
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
