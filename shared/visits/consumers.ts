import { FINAL_GRANT_REVISED } from '#shared/conversion/revert.ts';
import { GRANT_ENDED, grantEndedSchema } from '#shared/conversion/grant-ended.ts';
import { cancelVisitsAfterGrantEnd } from './grant-ended.ts';
import { FINAL_GRANT_APPROVED, finalGrantApprovedSchema } from '#shared/conversion/plan.ts';
import { on, type Consumption } from '#shared/domain-events/dispatch.ts';
import { onFinalGrantApproved } from './from-final-grant.ts';
import { syncVisitSchedules } from './schedules.ts';

/** A visit's reminder and no-show schedules follow its committed changes (idempotent: they are made to match the visit as it is now). */
const visitChanges = ['VisitBooked', 'VisitChanged', 'VisitCancelled', 'VisitStarted', 'VisitCompleted', 'VisitMissed'];

export const visitConsumers: readonly Consumption[] = [
  /** An approved final grant plans its screen visits (idempotent: re-delivery makes no duplicates). */
  on(FINAL_GRANT_APPROVED, async (deps, event) => {
    const grant = finalGrantApprovedSchema.parse(event.detail);
    await onFinalGrantApproved(deps, grant, event.id);
  }),
  ...visitChanges.map((type) =>
    on(type, async (deps, event) => {
      await syncVisitSchedules(deps, String(event.detail.visitId));
    }),
  ),
  /** An ended grant cancels its screen visits after the end (idempotent). */
  on(GRANT_ENDED, async (deps, event) => {
    await cancelVisitsAfterGrantEnd(deps, grantEndedSchema.parse(event.detail), event.id);
  }),
  /** A revised final grant (a line reverted to physical) replans like an approval. */
  on(FINAL_GRANT_REVISED, async (deps, event) => {
    await onFinalGrantApproved(deps, finalGrantApprovedSchema.parse(event.detail), event.id);
  }),
];
