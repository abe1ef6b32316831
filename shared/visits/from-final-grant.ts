import { DateTime } from 'luxon';
import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import { getCurrentFinalGrant, listCurrentFinalGrants } from '#shared/conversion/final-grants.ts';
import type { ScreenVisitPlanEntry } from '#shared/conversion/plan.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { logger } from '#shared/platform/logger.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import { isAvailable } from './availability-rules.ts';
import { listTeamStaff, type StaffProfile } from './availability.ts';
import { visitEvent } from './event-types.ts';
import { visitConflict } from './booking-rules.ts';
import { fromItem, slotsOf, type VisitRecord } from './model.ts';
import {
  CitizenDoubleBooked,
  failedCondition,
  lockMoves,
  otherAction,
  visitAction,
  VisitVersionMismatch,
  writeVisit,
} from './visit-store.ts';
import { occurrencesOf, type Occurrence } from './plan-occurrences.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import { cancelVisitWrite } from './visits.ts';

/**
 * Visits from an approved final grant, for a rolling horizon (config.VISIT_HORIZON_DAYS from
 * now). The FinalGrantApproved consumer makes them when a grant is approved; the daily
 * `extend-visit-horizon` job runs the same code over every current final grant, which both
 * extends the horizon and repairs anything a lost event left undone.
 *
 * Each occurrence gets the least-loaded staff member of the citizen's team who is available
 * and not booked then — with the same locks and availability check as POST /visits, so no one
 * is double-booked — or stays unassigned (listed by GET /visits?unassigned=true) when nobody is.
 * Idempotent: visit ids are derived from (final grant, benefit, local date and time), and the
 * visit is written with attribute_not_exists; a visit that exists (even if staff cancelled or
 * moved it since) is left as it is.
 */
export interface PlanGrant {
  readonly citizenId: string;
  readonly team: string;
  readonly finalGrantId: string;
  readonly screenVisitPlan: readonly ScreenVisitPlanEntry[];
}

export interface MaterialiseResult {
  created: number;
  assigned: number;
  unassigned: number;
  existing: number;
  /** Occurrences the citizen already has another visit for at that time (left out). */
  citizenBusy: number;
}

export const PLANNER = 'visit-planner';

const systemContext = (deps: Deps, requestId = newId('job')): SystemContext => ({
  system: PLANNER,
  requestId,
  now: deps.clock.now(),
});

type Outcome = 'created' | 'exists' | 'staff-busy' | 'citizen-busy';

/** The visit an occurrence of the plan becomes, given to `staff` (or unassigned). */
export function occurrenceVisit(
  grant: PlanGrant,
  occ: Occurrence,
  staff: Pick<StaffProfile, 'staffId'> | undefined,
  now: Date,
): VisitRecord {
  const at = now.toISOString();
  return {
    visitId: occ.visitId,
    citizenId: grant.citizenId,
    team: grant.team,
    staffId: staff?.staffId,
    start: occ.start.toISOString(),
    end: occ.end.toISOString(),
    durationMinutes: occ.durationMinutes,
    purpose: { grantId: occ.grantId, service: occ.service },
    status: 'scheduled',
    source: 'final-grant',
    finalGrantId: grant.finalGrantId,
    guests: [],
    version: 1,
    createdAt: at,
    createdBy: `system:${PLANNER}`,
    updatedAt: at,
  };
}

/** What a refused occurrence means: its visit exists, the citizen is busy, or this staff member is. */
function outcomeOf(error: unknown): Outcome | undefined {
  if (error instanceof VisitVersionMismatch) return 'exists';
  if (error instanceof CitizenDoubleBooked) return 'citizen-busy';
  return failedCondition(error) ? 'staff-busy' : undefined;
}

async function createOccurrence(
  deps: Deps,
  sys: SystemContext,
  grant: PlanGrant,
  occ: Occurrence,
  staff: StaffProfile | undefined,
): Promise<{ outcome: Outcome; visit?: VisitRecord }> {
  const visit = occurrenceVisit(grant, occ, staff, sys.now);
  const booked = { source: 'final-grant', finalGrantId: grant.finalGrantId, bookedBy: `system:${PLANNER}` };
  try {
    await writeVisit(deps.table, visit, [
      visitAction(deps.table, visit),
      ...lockMoves(deps, visit.visitId, undefined, slotsOf(visit)),
      otherAction(
        'audit',
        auditLogOf(deps).item(sys, {
          action: 'visit.create',
          resource: `visits/${visit.visitId}`,
          citizenId: visit.citizenId,
        }),
      ),
      otherAction('event', outboxEvent(deps.table, visitEvent('VisitBooked', visit, booked, sys.now))),
    ]);
  } catch (error) {
    const outcome = outcomeOf(error);
    if (outcome) return { outcome };
    throw visitConflict(error);
  }
  return { outcome: 'created', visit };
}

export async function materialiseFinalGrant(
  deps: Deps,
  grant: PlanGrant,
  sys: SystemContext = systemContext(deps),
): Promise<MaterialiseResult> {
  const result: MaterialiseResult = { created: 0, assigned: 0, unassigned: 0, existing: 0, citizenBusy: 0 };
  const from = sys.now;
  const to = DateTime.fromJSDate(from, { zone: 'utc' }).plus({ days: deps.config.VISIT_HORIZON_DAYS }).toJSDate();
  const zone = deps.config.TIME_ZONE;
  const occurrences = grant.screenVisitPlan
    .flatMap((entry) => occurrencesOf(grant.finalGrantId, entry, { from, to }, zone))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  if (occurrences.length === 0) return result;

  const known = new Set(
    (
      await queryAll(deps.table, {
        index: 'gsi2',
        partition: ['gsi2pk', visitKeys.citizenPartition(grant.citizenId)],
        sort: { attribute: 'gsi2sk', between: [from.toISOString(), `${to.toISOString()}\uffff`] },
      })
    ).map((item) => String(item.visitId)),
  );
  const staff = await listTeamStaff(deps.table, grant.team);
  const load = new Map<string, number>();
  const created: VisitRecord[] = [];

  for (const occ of occurrences) {
    if (known.has(occ.visitId)) {
      result.existing += 1;
      continue;
    }
    const candidates = staff
      .filter((s) => isAvailable(s, occ.start, occ.end, zone))
      .sort((a, b) => (load.get(a.staffId) ?? 0) - (load.get(b.staffId) ?? 0) || a.staffId.localeCompare(b.staffId));
    let outcome: Outcome = 'staff-busy';
    for (const candidate of [...candidates, undefined]) {
      const attempt = await createOccurrence(deps, sys, grant, occ, candidate);
      outcome = attempt.outcome;
      if (attempt.visit) {
        created.push(attempt.visit);
        if (candidate) load.set(candidate.staffId, (load.get(candidate.staffId) ?? 0) + 1);
      }
      if (outcome !== 'staff-busy') break;
    }
    if (outcome === 'exists') result.existing += 1;
    if (outcome === 'citizen-busy') result.citizenBusy += 1;
  }

  result.created = created.length;
  result.assigned = created.filter((v) => v.staffId).length;
  result.unassigned = result.created - result.assigned;
  // Each visit's VisitBooked is in its own transaction: its schedules come from that event.
  logger.info('final-grant visits planned', {
    citizenId: grant.citizenId,
    finalGrantId: grant.finalGrantId,
    ...result,
  });
  return result;
}

/** Cancels the citizen's future, still scheduled visits made from final grants that `isStale` says are no longer current. */
export async function cancelStaleGrantVisits(
  deps: Deps,
  citizenId: string,
  isStale: (finalGrantId: string) => boolean,
  sys: SystemContext = systemContext(deps),
): Promise<number> {
  const items = await queryAll(deps.table, {
    index: 'gsi2',
    partition: ['gsi2pk', visitKeys.citizenPartition(citizenId)],
    sort: { attribute: 'gsi2sk', gte: sys.now.toISOString() },
  });
  const stale = items
    .map(fromItem)
    .filter(
      (v) =>
        v.source === 'final-grant' &&
        v.status === 'scheduled' &&
        v.finalGrantId !== undefined &&
        isStale(v.finalGrantId),
    );
  let cancelled = 0;
  const at = sys.now.toISOString();
  for (const visit of stale) {
    const next: VisitRecord = {
      ...visit,
      status: 'cancelled',
      cancelledAt: at,
      cancelReason: 'final grant superseded',
      version: visit.version + 1,
      updatedAt: at,
    };
    try {
      await cancelVisitWrite(
        deps,
        sys,
        visit,
        next,
        visitEvent(
          'VisitCancelled',
          next,
          { cancelledAt: at, cancelledBy: `system:${PLANNER}`, reason: 'final grant superseded' },
          sys.now,
        ),
      );
    } catch (error) {
      // Someone changed it meanwhile (started, moved): the next horizon run looks at it again.
      if (error instanceof ConflictError) continue;
      throw error;
    }
    cancelled += 1;
  }
  return cancelled;
}

/** The FinalGrantApproved consumer: cancel what the superseded grant planned, then plan the new one. */
export async function onFinalGrantApproved(
  deps: Deps,
  grant: PlanGrant & { supersedes?: string | undefined },
  eventId: string,
): Promise<MaterialiseResult & { cancelled: number }> {
  const sys = systemContext(deps, eventId);
  const current = await getCurrentFinalGrant(deps, grant.citizenId);
  // A late re-delivery of an event whose grant has since been superseded plans nothing.
  if (current && current.finalGrantId !== grant.finalGrantId) {
    return { created: 0, assigned: 0, unassigned: 0, existing: 0, citizenBusy: 0, cancelled: 0 };
  }
  // With the pointer on this grant every other grant's visits are stale; without it, the one it supersedes.
  const isStale = current ? (id: string) => id !== grant.finalGrantId : (id: string) => id === grant.supersedes;
  const cancelled = await cancelStaleGrantVisits(deps, grant.citizenId, isStale, sys);
  const planned = await materialiseFinalGrant(deps, grant, sys);
  return { ...planned, cancelled };
}

/** The daily job: every current final grant, planned up to the horizon; stale grants' visits cancelled. */
export async function extendVisitHorizon(
  deps: Deps,
): Promise<MaterialiseResult & { grants: number; cancelled: number }> {
  const total = { grants: 0, cancelled: 0, created: 0, assigned: 0, unassigned: 0, existing: 0, citizenBusy: 0 };
  let cursor: string | undefined;
  do {
    const page = await listCurrentFinalGrants(deps, cursor);
    for (const grant of page.items) {
      const sys = systemContext(deps);
      total.grants += 1;
      total.cancelled += await cancelStaleGrantVisits(deps, grant.citizenId, (id) => id !== grant.finalGrantId, sys);
      const planned = await materialiseFinalGrant(deps, grant, sys);
      total.created += planned.created;
      total.assigned += planned.assigned;
      total.unassigned += planned.unassigned;
      total.existing += planned.existing;
      total.citizenBusy += planned.citizenBusy;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return total;
}
