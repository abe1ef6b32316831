import * as z from '#shared/platform/zod.ts';
import { isoDate } from '#shared/conversion/plan.ts';
import type { Config } from '#shared/platform/config.ts';

/**
 * The municipality's settings for the trial reports, declared once: its trial dates and targets
 * (the mid-way status compares against them) and its savings model.
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
