import { z } from '@hono/zod-openapi';
import { isoDate } from '#shared/conversion/plan.ts';
import { dispenserReportSchema } from '#shared/dispensers/model.ts';
import { teamDispensersOn } from '#shared/dispensers/report.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { conversionKeys, evaluationKeys } from '#shared/table/keys.ts';
import { getItem, put, transactWrite } from '#shared/table/store.ts';
import { finalGrantHistories } from './history.ts';
import { periodFigures, type FinalGrantVersion } from './period-figures.ts';
import { getSavingsModel } from './savings-model.ts';

/**
 * The municipality's roll-up across its E-teams on a reporting date (Oslo's monthly "active per
 * reporting date", Hjørring's mid-way status): per team and in total, the dispensers with a
 * citizen on the date by vendor and model, the citizens with a final grant in force, and the
 * digital share, each from the history as it stood that day, against the targets the
 * municipality sets. Aggregates only: no citizen is named, so nothing is audited per citizen.
 */
export const rollupMetrics = ['activeDispensers', 'citizensWithFinalGrant', 'digitalShare'] as const;
export type RollupMetric = (typeof rollupMetrics)[number];

export const targetsInputSchema = z
  .strictObject({
    /** The first day of the trial: progress towards a target is measured from here. */
    trialStartsOn: isoDate,
    /** The day of the mid-way status (midtvejsstatus), if the municipality has set one. */
    midwayOn: isoDate.optional(),
    targets: z
      .array(
        z.strictObject({
          metric: z.enum(rollupMetrics),
          /** A team's target; absent: the municipality's total. */
          team: z
            .string()
            .max(40)
            .regex(/^[a-z0-9-]{1,40}$/, 'a team id')
            .optional(),
          atLeast: z.number().min(0).max(1_000_000),
          by: isoDate,
        }),
      )
      .max(100),
  })
  .refine((t) => t.targets.every((x) => x.by > t.trialStartsOn), {
    message: 'every target is due after the trial starts',
    path: ['targets'],
  })
  .refine((t) => t.targets.every((x) => x.metric !== 'digitalShare' || x.atLeast <= 1), {
    message: 'a digitalShare target is a share between 0 and 1',
    path: ['targets'],
  })
  .openapi('MunicipalityTargetsInput', {
    example: {
      trialStartsOn: '2026-08-01',
      midwayOn: '2027-01-15',
      targets: [{ metric: 'activeDispensers', atLeast: 700, by: '2027-06-30' }],
    },
  });
export type TargetsInput = z.infer<typeof targetsInputSchema>;

export const targetsSchema = z
  .object({
    trialStartsOn: z.string().nullable(),
    midwayOn: z.string().nullable(),
    targets: targetsInputSchema.shape.targets,
    setBy: z.string().nullable(),
    setAt: z.string().nullable(),
  })
  .openapi('MunicipalityTargets');
export type Targets = z.infer<typeof targetsSchema>;

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
  const item = await getItem(deps.table, evaluationKeys.targets());
  if (!item) return { trialStartsOn: null, midwayOn: null, targets: [], setBy: null, setAt: null };
  return targetsSchema.parse({
    trialStartsOn: item.trialStartsOn,
    midwayOn: item.midwayOn ?? null,
    targets: item.targets,
    setBy: item.setBy,
    setAt: item.setAt,
  });
}

/** PUT /reports/municipality/targets: replaces the targets (no citizen data; who set them is kept). */
export async function setTargets(deps: Deps, ctx: RequestContext, input: TargetsInput): Promise<Targets> {
  const stored = {
    trialStartsOn: input.trialStartsOn,
    midwayOn: input.midwayOn ?? null,
    targets: input.targets,
    setBy: ctx.actor.sub,
    setAt: ctx.now.toISOString(),
  };
  await transactWrite(deps.table, [
    put(deps.table, { ...evaluationKeys.targets(), entity: 'MunicipalityTargets', ...stored }),
  ]);
  return stored;
}

const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

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

export async function municipalityReport(deps: Deps, date: string): Promise<MunicipalityReport> {
  const zone = deps.config.TIME_ZONE;
  const [targets, model, histories] = await Promise.all([
    getTargets(deps),
    getSavingsModel(deps),
    finalGrantHistories(deps, { index: 'gsi2', partition: conversionKeys.allCurrentFinalGrantsPartition }),
  ]);
  const byTeam = new Map<string, Map<string, FinalGrantVersion[]>>();
  for (const [citizenId, versions] of histories) {
    const team = versions.at(-1)?.team;
    if (!team) continue;
    const map = byTeam.get(team) ?? new Map<string, FinalGrantVersion[]>();
    map.set(citizenId, versions);
    byTeam.set(team, map);
  }
  for (const t of targets.targets) if (t.team && !byTeam.has(t.team)) byTeam.set(t.team, new Map());
  const teamIds = [...byTeam.keys()].sort();
  const teams: MunicipalityReport['teams'] = [];
  for (const team of teamIds) {
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
  const groups = new Map<string, { vendor: string; model: string; total: number; active: number; trial: number }>();
  for (const t of teams) {
    for (const g of t.activeDispensers.byVendorModel) {
      const key = `${g.vendor}\u0000${g.model}`;
      const sum = groups.get(key) ?? { vendor: g.vendor, model: g.model, total: 0, active: 0, trial: 0 };
      groups.set(key, {
        ...sum,
        total: sum.total + g.total,
        active: sum.active + g.active,
        trial: sum.trial + g.trial,
      });
    }
  }
  const byVendorModel = [...groups.values()].sort(
    (a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model),
  );
  const total = {
    activeDispensers: {
      total: teams.reduce((n, t) => n + t.activeDispensers.total, 0),
      active: teams.reduce((n, t) => n + t.activeDispensers.active, 0),
      trial: teams.reduce((n, t) => n + t.activeDispensers.trial, 0),
      byVendorModel,
    },
    citizensWithFinalGrant: all.citizensWithFinalGrantOnLastDay,
    digitalShare: all.digitalShare,
  };
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
    date,
    timeZone: zone,
    teams,
    total,
    midwayStatus: {
      trialStartsOn: targets.trialStartsOn,
      midwayOn: targets.midwayOn,
      targets: targets.targets.map((t) => ({
        metric: t.metric,
        team: t.team ?? null,
        atLeast: t.atLeast,
        by: t.by,
        ...targetStatus(t, valueOf(t.metric, t.team), date, targets.trialStartsOn),
      })),
    },
  };
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
