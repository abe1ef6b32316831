import { FINAL_GRANT_APPROVED, FINAL_GRANT_REVISED, GRANT_ENDED } from '#shared/conversion/event-names.ts';
import { on, type Consumer, type Consumption } from '#shared/domain-events/dispatch.ts';

/**
 * The dispensers capability's consumers. Each imports its code when its event arrives: the
 * consumer Lambda holds every consumer of the service, and an event runs those of its type.
 */
const applyFinalGrantDosePlan: Consumer = async (deps, event) =>
  (await import('./final-grant-dose-plan.ts')).applyFinalGrantDosePlan(deps, event);

export const dispenserConsumers: readonly Consumption[] = [
  on(FINAL_GRANT_APPROVED, applyFinalGrantDosePlan),
  /** An ended grant ends the dose plan that delivers it (idempotent). */
  on(GRANT_ENDED, async (deps, event) => {
    const [{ grantEndedSchema }, { endDosePlanWithGrant }] = await Promise.all([
      import('#shared/conversion/grant-ended.ts'),
      import('./grant-ended.ts'),
    ]);
    await endDosePlanWithGrant(deps, grantEndedSchema.parse(event.detail), event.id);
  }),
  /** A revised final grant (a dispenser trial returned) ends or changes the dose plan like an approval. */
  on(FINAL_GRANT_REVISED, applyFinalGrantDosePlan),
];
