import * as z from '#shared/platform/zod.ts';
import { decisions, followUpSchema, readinessSchema, reasonSchema } from './readiness.ts';

/**
 * The assessment capability's entities, each declared once: the record type, the stored item
 * (the store adds keys and `entity`) and the API view derive from these schemas.
 */
/** The longest free-text answer a question takes. */
export const FREE_TEXT_MAX = 2000;
export const answerValue = z.union([z.boolean(), z.number(), z.string().max(FREE_TEXT_MAX)]);

export const assessmentSchema = z
  .object({
    assessmentId: z.string(),
    citizenId: z.string(),
    questionnaireVersion: z.number().int(),
    answers: z.record(z.string(), answerValue),
    /** The best of the technologies' decisions: `not_ready` only when the citizen can use neither. */
    decision: z.enum(decisions),
    reasons: z.array(reasonSchema),
    /** Readiness per technology; a conversion line for a technology needs that technology's readiness. */
    readiness: readinessSchema,
    /**
     * `per-technology`: decided per technology when recorded. `single-decision`: recorded before
     * readiness per technology, read under the rule of its time: its one decision holds for both.
     */
    readinessRule: z.enum(['per-technology', 'single-decision']),
    /** The citizen said no to digital care: the E-team motivates (a follow-up, never a block). */
    motivationNeeded: z.boolean(),
    followUps: z.array(followUpSchema),
    assessedAt: z.string(),
    assessedBy: z.string(),
  })
  .openapi('Assessment');
export type Assessment = z.infer<typeof assessmentSchema>;

export const technologyDecisionsSchema = z.object({
  screen: z.enum(decisions),
  medicationTechnology: z.enum(decisions),
});
export type TechnologyDecisions = z.infer<typeof technologyDecisionsSchema>;

/** The latest assessment's id and decisions, kept on the citizen's profile (`latestAssessment`). */
export const assessmentSummarySchema = z.object({
  assessmentId: z.string(),
  decision: z.enum(decisions),
  /** Per technology; absent on summaries written before readiness per technology (read as `decision` for both). */
  readiness: technologyDecisionsSchema.optional(),
});
export type AssessmentSummary = z.infer<typeof assessmentSummarySchema>;

/** The summary of an assessment, as the profile keeps it. */
export function summaryOf(assessment: Assessment): AssessmentSummary {
  return {
    assessmentId: assessment.assessmentId,
    decision: assessment.decision,
    readiness: {
      screen: assessment.readiness.screen.decision,
      medicationTechnology: assessment.readiness.medicationTechnology.decision,
    },
  };
}

/** The decision per technology of a summary; an old summary's one decision holds for both. */
export function technologyDecisionsOf(summary: AssessmentSummary): TechnologyDecisions {
  return summary.readiness ?? { screen: summary.decision, medicationTechnology: summary.decision };
}
