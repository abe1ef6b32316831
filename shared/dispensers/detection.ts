import { DateTime } from 'luxon';
import { raiseAlert } from '#shared/alerts/alerts.ts';
import type { SystemContext } from '#shared/audit/audit.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { dispenserKeys } from '#shared/table/keys.ts';
import { getItems, queryAll, TransactionConflict } from '#shared/table/store.ts';
import { missedDoseAlert } from './alerts.ts';
import { addDays, dosesOfRule, localDate } from './schedule.ts';
import { markSilentAlert, type DispenserItem } from './store.ts';

/**
 * The detection jobs. None scans: each reads an index of exactly its work list (gsi2: assigned
 * dispensers by when they were last heard from; gsi3: trials by their last day), and each is
 * idempotent (dedup keys), so running one twice, late or concurrently raises nothing twice.
 */

/** How far back the missed-dose job looks: a job that did not run for this long still catches up. */
export const MISSED_DOSE_LOOKBACK_HOURS = 24;
/** The trial-end reminder goes out this many days before the trial's last day. */
export const TRIAL_REMINDER_DAYS = 7;

const systemContext = (deps: Deps, job: string): SystemContext => ({
  system: job,
  requestId: newId('job', deps.clock.now()),
  now: deps.clock.now(),
});

async function assignedDispensers(deps: Deps, silentSinceAtMost?: string): Promise<DispenserItem[]> {
  return queryAll<DispenserItem & Record<string, unknown>>(
    deps.table,
    {
      index: 'gsi2',
      partition: ['gsi2pk', dispenserKeys.assignedPartition],
      ...(silentSinceAtMost ? { sort: { attribute: 'gsi2sk', lte: `${silentSinceAtMost}\uffff` } } : {}),
    },
    100_000,
  );
}

/**
 * `detect-missed-doses`: every planned dose of an assigned dispenser whose deadline (dose time +
 * DOSE_MISSED_AFTER_MINUTES) passed within the lookback, with no `dose_taken` and no alert yet,
 * raises its one missed-dose alert — also when the device said nothing at all.
 */
export async function detectMissedDoses(
  deps: Deps,
): Promise<{ dispensers: number; dosesChecked: number; raised: number }> {
  const now = deps.clock.now();
  const zone = deps.config.TIME_ZONE;
  const dispensers = (await assignedDispensers(deps)).filter((d) => d.assignment && d.dosePlan);
  const due = dispensers.flatMap((d) => {
    const assignment = d.assignment;
    const plan = d.dosePlan;
    if (!assignment || !plan) return [];
    const from = new Date(
      Math.max(
        DateTime.fromJSDate(now)
          .minus({ minutes: deps.config.DOSE_MISSED_AFTER_MINUTES, hours: MISSED_DOSE_LOOKBACK_HOURS })
          .toMillis(),
        Date.parse(assignment.assignedAt),
      ),
    );
    const to = DateTime.fromJSDate(now)
      .minus({ minutes: deps.config.DOSE_MISSED_AFTER_MINUTES })
      .plus({ milliseconds: 1 })
      .toJSDate();
    return dosesOfRule(plan, from, to, zone).map((dose) => ({
      dispenser: d,
      citizenId: assignment.citizenId,
      doseAt: dose.doseAt,
    }));
  });
  const records = (
    await getItems(
      deps.table,
      due.map((d) => dispenserKeys.dose(d.citizenId, d.doseAt)),
      { consistent: true, now },
    )
  ).filter((r) => r !== undefined) as { sk: string; pk: string; takenAts?: Set<string>; alertRaisedAt?: string }[];
  const byKey = new Map(records.map((r) => [`${r.pk}|${r.sk}`, r]));
  const ctx = systemContext(deps, 'detect-missed-doses');
  let raised = 0;
  for (const dose of due) {
    const key = dispenserKeys.dose(dose.citizenId, dose.doseAt);
    const record = byKey.get(`${key.pk}|${key.sk}`);
    if (record?.takenAts?.size || record?.alertRaisedAt) continue;
    if (
      await missedDoseAlert(deps, {
        team: dose.dispenser.team,
        citizenId: dose.citizenId,
        dispenserId: dose.dispenser.dispenserId,
        doseAt: dose.doseAt,
        detectedBy: 'schedule',
        by: ctx,
      })
    )
      raised++;
  }
  return { dispensers: dispensers.length, dosesChecked: due.length, raised };
}

/**
 * `detect-silent-devices`: an assigned dispenser not heard from for DEVICE_SILENT_AFTER_MINUTES
 * raises one alert per silence (the dedup key is the silence's start). The dispenser item keeps
 * the key, so later runs skip it, and its next contact clears the alert.
 */
export async function detectSilentDevices(deps: Deps): Promise<{ silent: number; raised: number }> {
  const now = deps.clock.now();
  const cutoff = DateTime.fromJSDate(now, { zone: 'utc' })
    .minus({ minutes: deps.config.DEVICE_SILENT_AFTER_MINUTES })
    .toISO() as string;
  const silent = (await assignedDispensers(deps, cutoff)).filter((d) => d.assignment);
  const ctx = systemContext(deps, 'detect-silent-devices');
  let raisedCount = 0;
  for (const d of silent) {
    const assignment = d.assignment;
    if (!assignment || d.silentAlertKey) continue;
    // The index says since when: the later of the last contact and the assignment.
    const silentSince = String((d as unknown as { gsi2sk: string }).gsi2sk).split('#')[0] ?? '';
    if (!silentSince || silentSince > cutoff) continue;
    const dedupKey = `device_silent#${d.dispenserId}#${silentSince}`;
    try {
      const { raised } = await raiseAlert(
        deps,
        {
          kind: 'device_silent',
          team: d.team,
          citizenId: assignment.citizenId,
          dispenserId: d.dispenserId,
          dedupKey,
          summary: `Dispenser ${d.dispenserId} not heard from since ${silentSince}`,
          occurredAt: new Date(silentSince),
          details: { silentSince },
          by: ctx,
        },
        // Only while it is still this silence: a contact in between moves gsi2sk and cancels the raise.
        [markSilentAlert(deps.table, d.dispenserId, dedupKey, silentSince)],
        (alertId) => [
          domainEvent(
            'DeviceSilent',
            { dispenserId: d.dispenserId, citizenId: assignment.citizenId, team: d.team, silentSince, alertId },
            now,
          ),
        ],
      );
      if (raised) raisedCount++;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
    }
  }
  return { silent: silent.length, raised: raisedCount };
}

/** `trial-end-reminders`: a trial whose last day is within TRIAL_REMINDER_DAYS raises one reminder to decide. */
export async function trialEndReminders(deps: Deps): Promise<{ trials: number; raised: number }> {
  const now = deps.clock.now();
  const horizon = addDays(localDate(now, deps.config.TIME_ZONE), TRIAL_REMINDER_DAYS);
  const trials = await queryAll<DispenserItem & Record<string, unknown>>(deps.table, {
    index: 'gsi3',
    partition: ['gsi3pk', dispenserKeys.onTrialPartition],
    sort: { attribute: 'gsi3sk', lte: `${horizon}\uffff` },
  });
  const ctx = systemContext(deps, 'trial-end-reminders');
  let raised = 0;
  for (const d of trials) {
    if (d.status !== 'trial' || !d.trialEndsOn || !d.assignment) continue;
    const result = await raiseAlert(deps, {
      kind: 'trial_ending',
      team: d.team,
      citizenId: d.assignment.citizenId,
      dispenserId: d.dispenserId,
      dedupKey: `trial_ending#${d.dispenserId}#${d.trialEndsOn}`,
      summary: `The trial of dispenser ${d.dispenserId} ends on ${d.trialEndsOn}: decide whether the citizen keeps it`,
      occurredAt: now,
      details: { trialEndsOn: d.trialEndsOn },
      by: ctx,
    });
    if (result.raised) raised++;
  }
  return { trials: trials.length, raised };
}
