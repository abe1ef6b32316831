import { DateTime } from 'luxon';
import type { SystemContext } from '#shared/audit/audit.ts';
import { grantEndedCancelReason, type GrantEnded } from '#shared/conversion/grant-ended.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import { visitEvent } from './event-types.ts';
import { fromItem, type VisitRecord } from './model.ts';
import { cancelVisitWrite } from './visits.ts';

export const GRANT_END_CANCELLER = 'grant-ended';

/** The visits an ended grant no longer allows: still scheduled, for that benefit, starting after its last day. */
export function visitsAfterGrantEnd(
  visits: readonly VisitRecord[],
  grantId: string,
  endDate: string,
  zone: string,
): VisitRecord[] {
  return visits.filter(
    (v) =>
      v.status === 'scheduled' &&
      v.purpose.grantId === grantId &&
      (DateTime.fromISO(v.start, { zone }).toISODate() ?? '') > endDate,
  );
}

/**
 * The GrantEnded consumer: cancels the benefit's scheduled screen visits after the end date
 * (booked ones too), with the reason "grant ended on <date>". Idempotent: a cancelled visit is
 * no longer scheduled, so a repeat of the event cancels nothing; a visit someone changed
 * meanwhile (started, moved) is left for them.
 */
export async function cancelVisitsAfterGrantEnd(deps: Deps, ended: GrantEnded, requestId: string): Promise<number> {
  const sys: SystemContext = { system: GRANT_END_CANCELLER, requestId, now: deps.clock.now() };
  const zone = deps.config.TIME_ZONE;
  const dayAfter =
    DateTime.fromISO(ended.endDate, { zone }).plus({ days: 1 }).startOf('day').toUTC().toISO() ?? ended.endDate;
  const items = await queryAll(deps.table, {
    index: 'gsi2',
    partition: ['gsi2pk', visitKeys.citizenPartition(ended.citizenId)],
    sort: { attribute: 'gsi2sk', gte: dayAfter },
  });
  const at = sys.now.toISOString();
  const reason = grantEndedCancelReason(ended.endDate);
  let cancelled = 0;
  for (const visit of visitsAfterGrantEnd(items.map(fromItem), ended.grantId, ended.endDate, zone)) {
    const next: VisitRecord = {
      ...visit,
      status: 'cancelled',
      cancelledAt: at,
      cancelReason: reason,
      version: visit.version + 1,
      updatedAt: at,
    };
    // VisitCancelled commits with the cancellation; its consumer clears the visit's schedules.
    const cancelledEvent = visitEvent(
      'VisitCancelled',
      next,
      { cancelledAt: at, cancelledBy: `system:${GRANT_END_CANCELLER}`, reason },
      sys.now,
    );
    try {
      await cancelVisitWrite(deps, sys, visit, next, cancelledEvent);
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    cancelled += 1;
  }
  return cancelled;
}
