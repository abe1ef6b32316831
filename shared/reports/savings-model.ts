import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { readSavingsModel, writeSavingsModel } from './report-store.ts';
import { defaultSavingsModel, type SavingsModel } from './settings.ts';

export { defaultSavingsModel, savingsModelSchema, type SavingsModel } from './settings.ts';

export async function getSavingsModel(deps: Deps): Promise<SavingsModel & { setBy?: string; setAt?: string }> {
  return (await readSavingsModel(deps.table)) ?? defaultSavingsModel(deps.config);
}

/** PUT /reports/savings-model: no citizen data, so no audit record; who set it is kept on the item. */
export async function setSavingsModel(
  deps: Deps,
  ctx: RequestContext,
  model: SavingsModel,
): Promise<SavingsModel & { setBy: string; setAt: string }> {
  const stored = { ...model, setBy: ctx.actor.sub, setAt: ctx.now.toISOString() };
  await writeSavingsModel(deps.table, stored);
  return stored;
}
