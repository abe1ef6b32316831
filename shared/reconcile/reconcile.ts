import { DateTime } from 'luxon';
import { listTeams } from '#shared/citizens/teams.ts';
import { listCurrentFinalGrants } from '#shared/conversion/final-grants.ts';
import { applyFinalGrantDosePlan } from '#shared/dispensers/final-grant-dose-plan.ts';
import { currentPlan } from '#shared/dispensers/dose-plan.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { logger } from '#shared/platform/logger.ts';
import { conversionKeys, visitKeys } from '#shared/table/keys.ts';
import { getItem, queryAll } from '#shared/table/store.ts';
import { checkNoShow } from '#shared/visits/reminders-and-no-shows.ts';
import { fromItem } from '#shared/visits/model.ts';
import { schedulesForOf, syncVisitSchedules } from '#shared/visits/schedules.ts';

/**
 * The daily `reconcile` job: side effects are made by consumers of committed events, and a
 * delivery can be lost for good (a consumer that failed past its retries and the DLQ's
 * retention, an operator who purged a queue). This finds what such a loss leaves undone and
 * repairs it with the same idempotent code the consumers run, and reports what it repaired:
 *  - scheduled visits without their reminder and no-show schedules (the visit does not carry
 *    `schedulesFor` = its current times, which the schedules consumer sets);
 *  - scheduled visits whose end passed without a no-show check;
 *  - current final grants whose dose plan was never applied.
 * Visits that a final grant should have planned are the daily `extend-visit-horizon` job's.
 * Something changed in the last SETTLE_MINUTES is left alone (its delivery may be under way).
 */
export const SETTLE_MINUTES = 10;

export interface ReconcileReport {
  teams: number;
  visitsChecked: number;
  schedulesRepaired: string[];
  noShowsRepaired: string[];
  grantsChecked: number;
  dosePlansRepaired: string[];
}

export async function reconcile(deps: Deps): Promise<ReconcileReport> {
  const now = DateTime.fromJSDate(deps.clock.now(), { zone: 'utc' });
  const settled = now.minus({ minutes: SETTLE_MINUTES }).toISO() as string;
  const report: ReconcileReport = {
    teams: 0,
    visitsChecked: 0,
    schedulesRepaired: [],
    noShowsRepaired: [],
    grantsChecked: 0,
    dosePlansRepaired: [],
  };
  await reconcileVisits(deps, now, settled, report);
  await reconcileDosePlans(deps, now.toJSDate(), settled, report);
  const repaired = report.schedulesRepaired.length + report.noShowsRepaired.length + report.dosePlansRepaired.length;
  (repaired > 0 ? logger.warn : logger.info).call(logger, 'reconciliation done', { ...report, repaired });
  return report;
}

/** Visits from a day back (a no-show check lost yesterday) to the planning horizon. */
async function reconcileVisits(deps: Deps, now: DateTime, settled: string, report: ReconcileReport): Promise<void> {
  const from = now.minus({ days: 1 }).toISO() as string;
  const to = now.plus({ days: deps.config.VISIT_HORIZON_DAYS + 1 }).toISO() as string;
  for (const team of await listTeams(deps)) {
    report.teams += 1;
    const items = await queryAll(
      deps.table,
      {
        index: 'gsi3',
        partition: ['gsi3pk', visitKeys.teamPartition(team)],
        sort: { attribute: 'gsi3sk', between: [from, `${to}\uffff`] },
      },
      50_000,
    );
    for (const item of items) {
      const visit = fromItem(item);
      if (visit.status !== 'scheduled') continue;
      report.visitsChecked += 1;
      if (visit.updatedAt > settled) continue;
      if (visit.end <= settled) {
        const { outcome } = await checkNoShow(deps, { visitId: visit.visitId });
        if (outcome === 'missed') report.noShowsRepaired.push(visit.visitId);
        continue;
      }
      if (item.schedulesFor !== schedulesForOf(visit)) {
        if ((await syncVisitSchedules(deps, visit.visitId)) === 'scheduled')
          report.schedulesRepaired.push(visit.visitId);
      }
    }
  }
}

/** Dose plans from the current final grants. */
async function reconcileDosePlans(deps: Deps, now: Date, settled: string, report: ReconcileReport): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await listCurrentFinalGrants(deps, cursor);
    for (const grant of page.items) {
      report.grantsChecked += 1;
      if (grant.approvedAt > settled || !grant.dosePlan) continue;
      const plan = await currentPlan(deps, grant.citizenId);
      if (plan?.finalGrantId === grant.finalGrantId) continue;
      const finalGrant = await getItem(deps.table, conversionKeys.finalGrant(grant.citizenId, grant.finalGrantId), {
        consistent: true,
      });
      if (!finalGrant) continue;
      // The same consumer FinalGrantApproved runs, on the event the approval committed.
      await applyFinalGrantDosePlan(
        deps,
        domainEvent(
          'FinalGrantApproved',
          { ...finalGrant, citizenId: grant.citizenId, team: grant.team, finalGrantId: grant.finalGrantId },
          now,
        ),
      );
      if ((await currentPlan(deps, grant.citizenId))?.finalGrantId === grant.finalGrantId)
        report.dosePlansRepaired.push(grant.finalGrantId);
    }
    cursor = page.nextCursor;
  } while (cursor);
}
