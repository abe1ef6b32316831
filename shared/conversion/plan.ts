import * as z from '#shared/platform/zod.ts';
import { isoDateInput, wallClockTimeInput } from '#shared/platform/time-input.ts';

/**
 * What an approved final grant produces for the other capabilities: the recurring screen-visit
 * plan (visits) and the dose plan (dispensers). This is the contract of the
 * `FinalGrantApproved` domain event (schema: events/FinalGrantApproved.schema.json).
 */
export const wallClockTime = wallClockTimeInput;
export const isoDate = isoDateInput;
/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const isoWeekday = z.number().int().min(1).max(7);

export const screenVisitPlanEntrySchema = z.object({
  /** The granted benefit this visit delivers (the visit's purpose). */
  grantId: z.string(),
  paragraph: z.string(),
  service: z.string(),
  minutes: z.number().int().positive(),
  weekdays: z.array(isoWeekday).min(1),
  /** Wall-clock times in the municipality's time zone; empty when the grant names none. */
  times: z.array(wallClockTime),
  /** For grants counted per week without fixed days: how many screen visits a week. */
  perWeek: z.number().int().positive().optional(),
  validFrom: isoDate,
  validTo: isoDate.optional(),
});
export type ScreenVisitPlanEntry = z.infer<typeof screenVisitPlanEntrySchema>;

export const dosePlanSeedSchema = z.object({
  grantId: z.string(),
  /** Dose times a day, wall-clock in the municipality's time zone. */
  times: z.array(wallClockTime).min(1),
  validFrom: isoDate,
  validTo: isoDate.optional(),
});
export type DosePlanSeed = z.infer<typeof dosePlanSeedSchema>;

export const finalGrantApprovedSchema = z.object({
  citizenId: z.string(),
  team: z.string(),
  finalGrantId: z.string(),
  conversionId: z.string(),
  approvedAt: z.string(),
  approvedBy: z.string(),
  /** The final grant this one replaces; its future screen visits are cancelled. */
  supersedes: z.string().optional(),
  screenVisitPlan: z.array(screenVisitPlanEntrySchema),
  /** Null when no benefit is delivered by medication technology. */
  dosePlan: dosePlanSeedSchema.nullable(),
});
export type FinalGrantApproved = z.infer<typeof finalGrantApprovedSchema>;
