import { FINAL_GRANT_APPROVED, finalGrantApprovedSchema } from '../conversion/plan.ts';
import { registerConsumer } from '../events/consumers.ts';
import { onFinalGrantApproved } from './from-final-grant.ts';
import { syncVisitSchedules } from './schedules.ts';

/** An approved final grant plans its screen visits (idempotent: re-delivery makes no duplicates). */
registerConsumer(FINAL_GRANT_APPROVED, async (deps, event) => {
  const grant = finalGrantApprovedSchema.parse(event.detail);
  await onFinalGrantApproved(deps, grant, event.id);
});

/** The reminder and no-show schedules follow the visit's committed changes (idempotent: they are made to match the visit as it is now). */
for (const type of ['VisitBooked', 'VisitChanged', 'VisitCancelled', 'VisitStarted', 'VisitCompleted', 'VisitMissed'] as const) {
  registerConsumer(type, async (deps, event) => {
    await syncVisitSchedules(deps, String(event.detail.visitId));
  });
}
