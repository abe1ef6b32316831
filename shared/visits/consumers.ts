import { FINAL_GRANT_APPROVED, finalGrantApprovedSchema } from '../conversion/plan.ts';
import { registerConsumer } from '../events/consumers.ts';
import { onFinalGrantApproved } from './from-final-grant.ts';

/** An approved final grant plans its screen visits (idempotent: re-delivery makes no duplicates). */
registerConsumer(FINAL_GRANT_APPROVED, async (deps, event) => {
  const grant = finalGrantApprovedSchema.parse(event.detail);
  await onFinalGrantApproved(deps, grant, event.id);
});
