import { z } from '@hono/zod-openapi';
import type { Config } from '#shared/platform/config.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { evaluationKeys } from '#shared/table/keys.ts';
import { getItem, put, transactWrite } from '#shared/table/store.ts';

/**
 * How the trial values a moved occurrence, set by the municipality and printed with every
 * report, so a reader sees the assumptions behind "hours saved":
 * - physical minutes: the grant's own minutes per occurrence, or one figure for every visit;
 * - travel minutes per physical visit (driving saved when a visit goes digital);
 * - the length of a screen visit, as a share of the physical visit it replaces;
 * - staff minutes a dispensed dose still costs (refills, alerts).
 */
export const savingsModelSchema = z
  .strictObject({
    physicalMinutesPerVisit: z
      .number()
      .int()
      .min(1)
      .max(480)
      .nullable()
      .openapi({ description: 'null: each grant’s minutes per occurrence' }),
    travelMinutesPerVisit: z.number().int().min(0).max(240),
    screenVisitLengthPercent: z
      .number()
      .int()
      .min(1)
      .max(200)
      .openapi({ description: 'A screen visit lasts this share of the physical visit (100 = as long)' }),
    dispensedDoseMinutes: z.number().min(0).max(60),
  })
  .openapi('SavingsModel');
export type SavingsModel = z.infer<typeof savingsModelSchema>;

/** Until the municipality sets one: the grant's minutes, the configured travel time, screen visits as long as physical ones. */
export const defaultSavingsModel = (config: Pick<Config, 'TRAVEL_MINUTES_PER_VISIT'>): SavingsModel => ({
  physicalMinutesPerVisit: null,
  travelMinutesPerVisit: config.TRAVEL_MINUTES_PER_VISIT,
  screenVisitLengthPercent: 100,
  dispensedDoseMinutes: 0,
});

export async function getSavingsModel(deps: Deps): Promise<SavingsModel & { setBy?: string; setAt?: string }> {
  const item = await getItem(deps.table, evaluationKeys.savingsModel());
  if (!item) return defaultSavingsModel(deps.config);
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

/** PUT /reports/savings-model: no citizen data, so no audit record; who set it is kept on the item. */
export async function setSavingsModel(
  deps: Deps,
  ctx: RequestContext,
  model: SavingsModel,
): Promise<SavingsModel & { setBy: string; setAt: string }> {
  const stored = { ...model, setBy: ctx.actor.sub, setAt: ctx.now.toISOString() };
  await transactWrite(deps.table, [
    put(deps.table, { ...evaluationKeys.savingsModel(), entity: 'SavingsModel', ...stored }),
  ]);
  return stored;
}
