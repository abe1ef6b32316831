import { evaluationKeys } from '#shared/table/keys.ts';
import { getItem, put, transactNamed, type Table } from '#shared/table/store.ts';
import { savingsModelSchema, targetsSchema, type SavingsModel, type Targets } from './settings.ts';

/**
 * The reports' own settings: the municipality's savings model and its targets, one item each in
 * the `MUNICIPALITY` partition (one table is one municipality). Neither holds citizen data.
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
