import { FINAL_GRANT_REVISED } from '#shared/conversion/revert.ts';
import { GRANT_ENDED, grantEndedSchema } from '#shared/conversion/grant-ended.ts';
import { cancelVisitsAfterGrantEnd } from './grant-ended.ts';
import { FINAL_GRANT_APPROVED, finalGrantApprovedSchema } from '#shared/conversion/plan.ts';
import { registerConsumer } from '#shared/domain-events/dispatch.ts';
import { onFinalGrantApproved } from './from-final-grant.ts';
import { syncVisitSchedules } from './schedules.ts';

/** An approved final grant plans its screen visits (idempotent: re-delivery makes no duplicates). */
registerConsumer(FINAL_GRANT_APPROVED, async (deps, event) => {
  const grant = finalGrantApprovedSchema.parse(event.detail);
  await onFinalGrantApproved(deps, grant, event.id);
});

/** The reminder and no-show schedules follow the visit's committed changes (idempotent: they are made to match the visit as it is now). */
for (const type of [
  'VisitBooked',
  'VisitChanged',
  'VisitCancelled',
  'VisitStarted',
  'VisitCompleted',
  'VisitMissed',
] as const) {
  registerConsumer(type, async (deps, event) => {
    await syncVisitSchedules(deps, String(event.detail.visitId));
  });
}

/** An ended grant cancels its screen visits after the end (idempotent). */
registerConsumer(GRANT_ENDED, async (deps, event) => {
  await cancelVisitsAfterGrantEnd(deps, grantEndedSchema.parse(event.detail), event.id);
});

/** A revised final grant (a line reverted to physical) replans like an approval. */
registerConsumer(FINAL_GRANT_REVISED, async (deps, event) => {
  await onFinalGrantApproved(deps, finalGrantApprovedSchema.parse(event.detail), event.id);
});
