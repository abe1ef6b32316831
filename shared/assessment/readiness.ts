import * as z from '#shared/platform/zod.ts';

/**
 * What an assessment decides, as it is stored and shown: the decision and its reasons per
 * technology, and the follow-ups. Apart from the rule that reaches it (decision.ts), which needs the
 * questionnaire, so that reading an assessment does not load the questionnaire's schemas.
 */
export const decisions = ['ready', 'ready_with_support', 'not_ready'] as const;
export type Decision = (typeof decisions)[number];

export const reasonEffects = [
  'blocks',
  'needs_support',
  'overcome_by_helper',
  'helper_available',
  'clears',
  'motivation_needed',
] as const;

export const reasonSchema = z
  .object({
    questionId: z.string(),
    effect: z.enum(reasonEffects),
    answer: z.union([z.boolean(), z.string(), z.number()]),
    why: z.string(),
  })
  .openapi('DecisionReason');
export type Reason = z.infer<typeof reasonSchema>;

export const technologyReadinessSchema = z
  .object({ decision: z.enum(decisions), reasons: z.array(reasonSchema) })
  .openapi('TechnologyReadiness');
export const readinessSchema = z
  .object({ screen: technologyReadinessSchema, medicationTechnology: technologyReadinessSchema })
  .openapi('Readiness', {
    description:
      'Readiness per technology: the E-team converts a benefit to a technology only when the citizen is ready (or ready with support) for that technology.',
  });
export type Readiness = z.infer<typeof readinessSchema>;

export const followUpSchema = z
  .object({ kind: z.enum(['motivate']), questionId: z.string(), why: z.string() })
  .openapi('AssessmentFollowUp', {
    description: 'Work for the E-team after the assessment; never a bar to conversion.',
  });
export type FollowUp = z.infer<typeof followUpSchema>;

/**
 * How an assessment stored before readiness per technology is read: under the one-decision rule
 * of its version, its decision and reasons hold for every technology.
 */
export function readinessOfSingleDecision(decision: Decision, reasons: Reason[]): Readiness {
  return { screen: { decision, reasons }, medicationTechnology: { decision, reasons } };
}
