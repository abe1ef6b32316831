import { DateTime } from 'luxon';
import { auditLogOf } from '#shared/audit/audit.ts';
import { visibleCitizenFrom } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ValidationError } from '#shared/platform/errors.ts';
import { citizenKeys, dispenserKeys } from '#shared/table/keys.ts';
import { getItems, queryAll } from '#shared/table/store.ts';
import { MAX_ADHERENCE_DAYS, type Adherence } from './model.ts';
import { isPausedAt, loadAlertSettings } from '#shared/notifications/alert-settings.ts';
import { planVersions, versionsOf } from './dose-plan.ts';
import {
  addDays,
  adherenceRates,
  classifyDose,
  emptyCounts,
  plannedDoses,
  startOfLocalDate,
  type DoseRecord,
  type DosePlanVersion,
  type OutcomeCounts,
} from './schedule.ts';

/**
 * Adherence is computed on read from the plan versions and the derived dose records, never
 * counted up as events arrive: a repeated, reordered or late event changes the record's sets,
 * and the outcome is recomputed from them. The records carry no TTL, so adherence outlives the
 * raw events.
 */

const dayCount = (from: string, to: string) =>
  Math.round(DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days) + 1;

export function checkPeriod(from: string, to: string): void {
  if (to < from)
    throw new ValidationError('The period ends before it starts.', [
      { field: 'query/to', message: 'must not be before from' },
    ]);
  if (dayCount(from, to) > MAX_ADHERENCE_DAYS) {
    throw new ValidationError(`A period is at most ${MAX_ADHERENCE_DAYS} days.`, [
      { field: 'query/to', message: `at most ${MAX_ADHERENCE_DAYS} days after from` },
    ]);
  }
}

type AdherenceItem = DoseRecord & { doseAt?: string; date?: string; hours?: Set<string> } & Record<string, unknown>;

/** The dose records by dose and the hours the device was seen, from the adherence partition's items. */
function derivedFacts(items: readonly AdherenceItem[]) {
  const records = items.filter((i): i is typeof i & { doseAt: string } => typeof i.doseAt === 'string');
  const seenDays = items.filter((i) => i.doseAt === undefined && typeof i.date === 'string') as {
    date: string;
    hours?: Set<string>;
  }[];
  const byDose = new Map(
    records.map((r) => [
      r.doseAt,
      {
        takenAts: [...(r.takenAts ?? [])],
        missedAts: [...(r.missedAts ?? [])],
        lateAts: [...(r.lateAts ?? [])],
        dispensedAts: [...(r.dispensedAts ?? [])],
      },
    ]),
  );
  const seen = new Set(seenDays.flatMap((d) => [...(d.hours ?? [])].map((h) => `${d.date}T${h}`)));
  return { byDose, seen };
}

/** Each planned dose of the local dates `from`..`to` (inclusive) with its outcome, and the counts. */
export async function computeAdherence(
  deps: Deps,
  citizenId: string,
  from: string,
  to: string,
  now: Date,
  loaded?: { versions: readonly DosePlanVersion[] },
): Promise<Pick<Adherence, 'doses' | 'counts'>> {
  const zone = deps.config.TIME_ZONE;
  const start = startOfLocalDate(from, zone);
  const end = startOfLocalDate(addDays(to, 1), zone);
  // One Query: seen days sort among the dose records (see dispenserKeys.seenDay); a day either side,
  // as the hours around a dose may fall on the neighbouring UTC date. Dose records of those extra
  // days are read too and simply not looked up.
  const [versions, items, settings] = await Promise.all([
    loaded ? Promise.resolve(loaded.versions) : planVersions(deps, citizenId),
    queryAll<AdherenceItem>(deps.table, {
      partition: ['pk', dispenserKeys.adherencePartition(citizenId)],
      sort: {
        attribute: 'sk',
        between: dispenserKeys.adherenceRange(
          addDays(start.toISOString().slice(0, 10), -1),
          addDays(end.toISOString().slice(0, 10), 1),
        ),
      },
    }),
    loadAlertSettings(deps, citizenId),
  ]);
  const { byDose, seen } = derivedFacts(items);
  const counts: OutcomeCounts = emptyCounts();
  const doses = plannedDoses(versions, start, end, zone).map((dose) => {
    const classified = classifyDose(dose, byDose.get(dose.doseAt), seen, now, deps.config.DOSE_MISSED_AFTER_MINUTES);
    // A dose in an alert pause (the citizen away) was not missed: a take still counts as a take.
    const verdict =
      classified.takenAt === undefined && isPausedAt(settings.pauses, dose.doseAt)
        ? { outcome: 'paused' as const }
        : classified;
    counts.planned++;
    counts[verdict.outcome]++;
    return {
      scheduledFor: dose.doseAt,
      date: dose.date,
      time: dose.time,
      outcome: verdict.outcome,
      ...(verdict.takenAt ? { takenAt: verdict.takenAt } : {}),
      ...(verdict.minutesLate !== undefined ? { minutesLate: verdict.minutesLate } : {}),
    };
  });
  return { doses, counts };
}

/** GET /citizens/{id}/adherence?from=&to= */
export async function citizenAdherence(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  period: { from: string; to: string },
): Promise<Adherence> {
  checkPeriod(period.from, period.to);
  // The citizen (visibility) and the plan with its versions in one BatchGetItem.
  const [citizenItem, planItem] = await getItems(
    deps.table,
    [citizenKeys.profile(citizenId), dispenserKeys.dosePlan(citizenId)],
    { now: ctx.now },
  );
  visibleCitizenFrom(citizenItem, ctx.actor);
  const versions = await versionsOf(deps, citizenId, planItem);
  const { doses, counts } = await computeAdherence(deps, citizenId, period.from, period.to, ctx.now, { versions });
  await auditLogOf(deps).recordRead(ctx, {
    action: 'adherence.read',
    resource: `citizens/${citizenId}/adherence`,
    citizenId,
  });
  return {
    citizenId,
    from: period.from,
    to: period.to,
    timeZone: deps.config.TIME_ZONE,
    doses,
    counts,
    rates: adherenceRates(counts),
  };
}
