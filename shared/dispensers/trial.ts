import * as z from '#shared/platform/zod.ts';
import { getCurrentFinalGrant } from '#shared/conversion/final-grants.ts';
import { revertLine } from '#shared/conversion/revert.ts';
import { reversionCodesSchema, reversionSchema } from '#shared/conversion/reversions.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { findMedicationLine } from './grant-link.ts';
import { dispenserSchema } from './model.ts';
import { assignDispenser, loadDispenser, takeBackDispenser } from './registry.ts';

/**
 * A dispenser trial belongs to the citizen's grant: a dispenser goes on trial only for a
 * medication-technology line that is proposed or approved, and deciding the trial updates the
 * final grant — kept: the approved line stays and the dispenser is active; returned: the line
 * reverts to physical delivery with a reason code, and the dispenser goes back.
 */
export const trialDecisionSchema = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('keep') }),
    z.strictObject({
      decision: z.literal('return'),
      ...reversionCodesSchema.shape,
      /** Where the dispenser goes: back in stock (default) or returned to the vendor. */
      then: z.enum(['in_stock', 'returned']).default('in_stock'),
    }),
  ])
  .refine((d) => d.decision !== 'return' || d.reasonCode !== 'other' || d.reasonText !== undefined, {
    message: 'reasonText is required when reasonCode is other',
    path: ['reasonText'],
  })
  .openapi('TrialDecision');
export type TrialDecision = z.infer<typeof trialDecisionSchema>;

export const trialDecisionResultSchema = z
  .object({
    decision: z.enum(['keep', 'return']),
    dispenser: dispenserSchema,
    /** The final grant the decision leaves current (a new version after a return of an approved line). */
    finalGrantId: z.string().optional(),
    reversion: reversionSchema.optional(),
  })
  .openapi('TrialDecisionResult');

/** POST /dispensers/{id}/trial-decision (staff, lead). */
export async function decideTrial(
  deps: Deps,
  ctx: RequestContext,
  dispenserId: string,
  input: TrialDecision,
): Promise<z.infer<typeof trialDecisionResultSchema>> {
  const item = await loadDispenser(deps, ctx.actor.team, dispenserId);
  const assignment = item.assignment;
  if (!assignment || assignment.status !== 'trial')
    throw new ConflictError(`Dispenser ${dispenserId} is not on trial.`, 'not-on-trial');
  const citizenId = assignment.citizenId;
  const line = await findMedicationLine(deps, citizenId);
  if (input.decision === 'keep') {
    if (!line?.approved) {
      throw new ConflictError(
        'The medication-technology line is not approved yet: a lead approves the conversion before the trial is kept.',
        'medication-line-not-approved',
      );
    }
    const dispenser = await assignDispenser(deps, ctx, dispenserId, { citizenId, status: 'active' });
    const current = await getCurrentFinalGrant(deps, citizenId);
    return { decision: 'keep', dispenser, ...(current ? { finalGrantId: current.finalGrantId } : {}) };
  }
  if (!line)
    throw new ConflictError(
      'The trial has no medication-technology line to revert; take the dispenser back instead.',
      'no-medication-line',
    );
  const dispenser = await takeBackDispenser(deps, ctx, dispenserId, input.then);
  const { reversion, finalGrant } = await revertLine(
    deps,
    ctx,
    citizenId,
    {
      grantId: line.grantId,
      technology: 'medication_technology',
      reasonCode: input.reasonCode,
      reasonText: input.reasonText,
      dispenserId,
    },
    false,
  );
  return { decision: 'return', dispenser, reversion, ...(finalGrant ? { finalGrantId: finalGrant.finalGrantId } : {}) };
}
