import * as z from '#shared/platform/zod.ts';
import { dosePlanSeedSchema, isoWeekday, screenVisitPlanEntrySchema, wallClockTime } from './plan.ts';
import { revertedTechnologySchema } from './reversions.ts';

/**
 * The conversion capability's entities, each declared once: the record type, the stored item
 * (the stores add keys and `entity`) and the API view all derive from these schemas.
 */
export const paragraphs = ['SEL-82', 'SEL-83', 'SEL-83a', 'SEL-85', 'SUL-138'] as const;
export type Paragraph = (typeof paragraphs)[number];

export const services = [
  'initial_support',
  'practical_help',
  'personal_care',
  'safety_check',
  'rehabilitation_training',
  'support_conversation',
  'everyday_support',
  'medication_handling',
  'home_nursing',
] as const;
export type Service = (typeof services)[number];

export const frequencySchema = z
  .strictObject({
    per: z.enum(['day', 'week']),
    /** Occurrences per day or per week. */
    times: z.number().int().min(1).max(24),
    /** ISO weekdays (1 = Monday) on which it happens; every day when left out. */
    weekdays: z.array(isoWeekday).min(1).max(7).optional(),
    /** Wall-clock times (municipality's time zone) when known. For `per: day`, one per occurrence. */
    timesOfDay: z.array(wallClockTime).min(1).max(24).optional(),
  })
  .openapi('Frequency', { example: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] } });
export type Frequency = z.infer<typeof frequencySchema>;

/** A granted benefit (bevilling), as recorded by the authority's assessor. */
export const grantSchema = z
  .object({
    grantId: z.string(),
    citizenId: z.string(),
    paragraph: z.enum(paragraphs),
    service: z.enum(services),
    frequency: frequencySchema,
    minutesPerOccurrence: z.number().int(),
    startDate: z.string(),
    endDate: z.string().optional(),
    recordedAt: z.string(),
    recordedBy: z.string(),
    /** Set when an assessor ended the grant (PATCH); `endDate` is then the end they gave. */
    endedAt: z.string().optional(),
    endedBy: z.string().optional(),
    endReason: z.string().optional(),
  })
  .openapi('Grant');
export type Grant = z.infer<typeof grantSchema>;

/** One benefit of a conversion: a snapshot of the grant with its split and the resolved times. */
export const conversionLineSchema = grantSchema
  .pick({
    grantId: true,
    paragraph: true,
    service: true,
    frequency: true,
    minutesPerOccurrence: true,
    startDate: true,
    endDate: true,
  })
  .extend({
    physical: z.number().int(),
    screenVisit: z.number().int(),
    medicationTechnology: z.number().int(),
    screenVisitTimes: z.array(z.string()),
    medicationTechnologyTimes: z.array(z.string()),
    /**
     * When the end date was set on this line after approval (the grant was ended): a report for a
     * day before this instant reads the line as it stood then, without the end.
     */
    endRecordedAt: z.string().optional(),
  })
  .openapi('ConversionLine');
export type ConversionLine = z.infer<typeof conversionLineSchema>;

export const conversionSchema = z
  .object({
    conversionId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    status: z.enum(['proposed', 'approved']),
    lines: z.array(conversionLineSchema),
    reason: z.string(),
    /** The assessment the proposal relied on. */
    assessmentId: z.string(),
    /** The final grant current when this was proposed (none for a first conversion); approval requires it still is. */
    basedOnFinalGrantId: z.string().optional(),
    basedOnVersion: z.number().int(),
    /** The profile's `grantsVersion` when proposed; approval requires it unchanged (absent on proposals made before the counter). */
    basedOnGrantsVersion: z.number().int().optional(),
    proposedBy: z.string(),
    proposedAt: z.string(),
    approvedBy: z.string().optional(),
    approvedAt: z.string().optional(),
    approvalNote: z.string().optional(),
    finalGrantId: z.string().optional(),
  })
  .openapi('Conversion');
export type Conversion = z.infer<typeof conversionSchema>;

/**
 * The final grant: per benefit, how it is delivered (physical, screen visit, medication
 * technology) and how much, as approved by a lead. Each approval makes a new final grant that
 * supersedes the previous one; all of them stay as the history. `status` is derived when read
 * (`supersededBy` set or not), never stored.
 */
export const finalGrantSchema = z
  .object({
    finalGrantId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    conversionId: z.string(),
    status: z.enum(['current', 'superseded']),
    lines: z.array(conversionLineSchema),
    screenVisitPlan: z.array(screenVisitPlanEntrySchema),
    dosePlan: dosePlanSeedSchema.nullable(),
    /** Why: the justification given with the proposal, and the approver's note if any. */
    reason: z.string(),
    approvalNote: z.string().optional(),
    proposedBy: z.string(),
    proposedAt: z.string(),
    approvedBy: z.string(),
    approvedAt: z.string(),
    supersedes: z.string().optional(),
    supersededBy: z.string().optional(),
    supersededAt: z.string().optional(),
    /** Set on a version made by reverting a technology line to physical delivery (not by a conversion). */
    revision: z
      .object({
        kind: z.literal('reversion'),
        reversionId: z.string(),
        grantId: z.string(),
        technology: revertedTechnologySchema,
        reasonCode: z.string(),
        reasonText: z.string().optional(),
      })
      .optional(),
  })
  .openapi('FinalGrant');
export type FinalGrant = z.infer<typeof finalGrantSchema>;
/** A final grant as stored: everything but the derived `status`. */
export type FinalGrantRecord = Omit<FinalGrant, 'status'>;

/**
 * The pointer to a citizen's current final grant, as the visit and dispenser capabilities need
 * it. It sits in two indexes (all citizens, and per team) so jobs and figures list current final
 * grants without a Scan.
 */
export const currentFinalGrantSchema = z.object({
  citizenId: z.string(),
  team: z.string(),
  finalGrantId: z.string(),
  conversionId: z.string(),
  approvedAt: z.string(),
  lines: z.array(conversionLineSchema),
  screenVisitPlan: z.array(screenVisitPlanEntrySchema),
  dosePlan: dosePlanSeedSchema.nullable(),
  /** Bumped on every approval; approvals condition on it. */
  version: z.number().int(),
});
export type CurrentFinalGrant = z.infer<typeof currentFinalGrantSchema>;
