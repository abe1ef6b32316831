import * as z from '#shared/platform/zod.ts';
import { isoDate } from './plan.ts';

/**
 * The contract of the `GrantEnded` domain event (events/GrantEnded.schema.json): an assessor
 * ended a granted benefit. The current final grant was revised in the same transaction (the
 * benefit's line, screen-visit plan entry and dose plan end on `endDate`); the visit capability
 * cancels the screen visits after the end and the dispenser capability ends the dose plan.
 * Consumers are idempotent: a repeat finds nothing left to change.
 */

export const grantEndedSchema = z.object({
  citizenId: z.string(),
  team: z.string(),
  grantId: z.string(),
  /** The last day the benefit is delivered (inclusive, local date). */
  endDate: isoDate,
  endedAt: z.iso.datetime(),
  endedBy: z.string(),
  /** The current final grant revised in the same transaction, when it delivered the benefit. */
  finalGrantId: z.string().optional(),
});
export type GrantEnded = z.infer<typeof grantEndedSchema>;

/** Why a visit after the end is cancelled (kept on the visit and in VisitCancelled). */
export const grantEndedCancelReason = (endDate: string) => `grant ended on ${endDate}`;
