import { FINAL_GRANT_REVISED } from '../conversion/revert.ts';
import { GRANT_ENDED, grantEndedSchema } from '../conversion/grant-ended.ts';
import { cancelVisitsAfterGrantEnd } from './grant-ended.ts';
import { FINAL_GRANT_APPROVED, finalGrantApprovedSchema } from '../conversion/plan.ts';
import { registerConsumer } from '../events/consumers.ts';
import { onFinalGrantApproved } from './from-final-grant.ts';

/** An approved final grant plans its screen visits (idempotent: re-delivery makes no duplicates). */
registerConsumer(FINAL_GRANT_APPROVED, async (deps, event) => {
  const grant = finalGrantApprovedSchema.parse(event.detail);
  await onFinalGrantApproved(deps, grant, event.id);
});

/** An ended grant cancels its screen visits after the end (idempotent). */
registerConsumer(GRANT_ENDED, async (deps, event) => {
  await cancelVisitsAfterGrantEnd(deps, grantEndedSchema.parse(event.detail), event.id);
});

/** A revised final grant (a line reverted to physical) replans like an approval. */
registerConsumer(FINAL_GRANT_REVISED, async (deps, event) => {
  await onFinalGrantApproved(deps, finalGrantApprovedSchema.parse(event.detail), event.id);
});
