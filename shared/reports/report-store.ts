import { dispenserPeriodSchema } from '#shared/dispensers/model.ts';
import { dispenserKeys, evaluationKeys, visitKeys } from '#shared/table/keys.ts';
import { getItem, put, queryAll, transactNamed, type Table } from '#shared/table/store.ts';
import { fromItem, type VisitRecord } from '#shared/visits/model.ts';
import { savingsModelSchema, targetsSchema, type SavingsModel, type Targets } from './settings.ts';

/**
 * The reports' own settings: the municipality's savings model and its targets, one item each in
 * the `MUNICIPALITY` partition (one table is one municipality). Neither holds citizen data.
 * Also the two team indexes of other capabilities the trial report reads whole: a team's visits
 * by start (gsi3) and its dispenser periods (gsi1).
 */
export type StoredSavingsModel = SavingsModel & { setBy: string; setAt: string };

export async function readSavingsModel(table: Table): Promise<StoredSavingsModel | undefined> {
  const item = await getItem(table, evaluationKeys.savingsModel());
  if (!item) return undefined;
  return {
    ...savingsModelSchema.parse({
      physicalMinutesPerVisit: item.physicalMinutesPerVisit,
      travelMinutesPerVisit: item.travelMinutesPerVisit,
      screenVisitLengthPercent: item.screenVisitLengthPercent,
      dispensedDoseMinutes: item.dispensedDoseMinutes,
    }),
    setBy: String(item.setBy),
    setAt: String(item.setAt),
  };
}

export async function writeSavingsModel(table: Table, model: StoredSavingsModel): Promise<void> {
  await transactNamed(table, [
    {
      name: 'savingsModel',
      action: put(table, { ...evaluationKeys.savingsModel(), entity: 'SavingsModel', ...model }),
    },
  ]);
}

export async function readTargets(table: Table): Promise<Targets | undefined> {
  const item = await getItem(table, evaluationKeys.targets());
  if (!item) return undefined;
  return targetsSchema.parse({
    trialStartsOn: item.trialStartsOn,
    midwayOn: item.midwayOn ?? null,
    targets: item.targets,
    setBy: item.setBy,
    setAt: item.setAt,
  });
}

export async function writeTargets(table: Table, targets: Targets): Promise<void> {
  await transactNamed(table, [
    { name: 'targets', action: put(table, { ...evaluationKeys.targets(), entity: 'MunicipalityTargets', ...targets }) },
  ]);
}

/** A team's visits starting in [startUtc, endUtc] (gsi3, by start). */
export async function teamVisitsStartingBetween(
  table: Table,
  team: string,
  startUtc: string,
  endUtc: string,
): Promise<VisitRecord[]> {
  const items = await queryAll(
    table,
    {
      index: 'gsi3',
      partition: ['gsi3pk', visitKeys.teamPartition(team)],
      sort: { attribute: 'gsi3sk', between: [startUtc, endUtc] },
    },
    200_000,
  );
  return items.map(fromItem);
}

/** Citizens of the team who had a dispenser at some moment of [startUtc, endUtc). */
export async function citizensWithDispenserIn(
  table: Table,
  team: string,
  startUtc: string,
  endUtc: string,
): Promise<string[]> {
  const periods = (
    await queryAll(
      table,
      {
        index: 'gsi1',
        partition: ['gsi1pk', dispenserKeys.teamPeriodsPartition(team)],
        sort: { attribute: 'gsi1sk', lte: endUtc },
      },
      100_000,
    )
  )
    .map((item) => dispenserPeriodSchema.parse(item))
    .filter((p) => p.from < endUtc && (!p.to || p.to > startUtc));
  return [...new Set(periods.map((p) => p.citizenId))];
}
