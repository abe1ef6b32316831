import { FINAL_GRANT_APPROVED, FINAL_GRANT_REVISED, GRANT_ENDED } from '#shared/conversion/event-names.ts';
import { on, type Consumer, type Consumption } from '#shared/domain-events/dispatch.ts';

/**
 * The visits capability's consumers. Each imports its code when its event arrives: the consumer
 * Lambda holds every consumer of the service, and an event runs those of its type.
 */

/** A visit's reminder and no-show schedules follow its committed changes (idempotent: they are made to match the visit as it is now). */
const visitChanges = ['VisitBooked', 'VisitChanged', 'VisitCancelled', 'VisitStarted', 'VisitCompleted', 'VisitMissed'];

/** An approved final grant plans its screen visits (idempotent: re-delivery makes no duplicates); a revised one (a line reverted to physical) replans. */
const planVisitsFromFinalGrant: Consumer = async (deps, event) => {
  const [{ finalGrantApprovedSchema }, { onFinalGrantApproved }] = await Promise.all([
    import('#shared/conversion/plan.ts'),
    import('./from-final-grant.ts'),
  ]);
  await onFinalGrantApproved(deps, finalGrantApprovedSchema.parse(event.detail), event.id);
};

export const visitConsumers: readonly Consumption[] = [
  on(FINAL_GRANT_APPROVED, planVisitsFromFinalGrant),
  ...visitChanges.map((type) =>
    on(type, async (deps, event) => {
      await (await import('./schedules.ts')).syncVisitSchedules(deps, String(event.detail.visitId));
    }),
  ),
  /** An ended grant cancels its screen visits after the end (idempotent). */
  on(GRANT_ENDED, async (deps, event) => {
    const [{ grantEndedSchema }, { cancelVisitsAfterGrantEnd }] = await Promise.all([
      import('#shared/conversion/grant-ended.ts'),
      import('./grant-ended.ts'),
    ]);
    await cancelVisitsAfterGrantEnd(deps, grantEndedSchema.parse(event.detail), event.id);
  }),
  on(FINAL_GRANT_REVISED, planVisitsFromFinalGrant),
];
