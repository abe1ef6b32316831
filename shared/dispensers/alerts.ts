import { DateTime } from 'luxon';
import { raiseAlert } from '#shared/alerts/alerts.ts';
import type { SystemContext } from '#shared/audit/audit.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { TransactionConflict } from '#shared/table/store.ts';
import { markDoseAlertRaised } from './store.ts';
import { isPausedAt, loadAlertSettings } from '#shared/notifications/alert-settings.ts';

/**
 * The missed-dose alert, shared by ingest (the device says `dose_missed`) and the detection job
 * (nothing by the deadline). One alert per dose: the dedup key is the dose. The dose record is
 * marked in the same transaction, on condition that no take arrived meanwhile, so a take that
 * races the job either prevents the alert or finds the mark and clears it. DoseMissed commits
 * with the alert; returns whether it was raised.
 */
export async function missedDoseAlert(
  deps: Deps,
  dose: {
    team: string;
    citizenId: string;
    dispenserId: string;
    doseAt: string;
    detectedBy: 'device' | 'schedule';
    by: SystemContext;
  },
): Promise<boolean> {
  const now = deps.clock.now();
  // The citizen is away (hospital, holiday): the dose is paused, not missed, and nobody is alerted.
  if (isPausedAt((await loadAlertSettings(deps, dose.citizenId)).pauses, dose.doseAt)) return false;
  const local = DateTime.fromISO(dose.doseAt, { zone: deps.config.TIME_ZONE });
  const mark = markDoseAlertRaised(deps.table, dose, now.toISOString());
  try {
    const { raised } = await raiseAlert(
      deps,
      {
        kind: 'missed_dose',
        team: dose.team,
        citizenId: dose.citizenId,
        dispenserId: dose.dispenserId,
        dedupKey: `missed_dose#${dose.citizenId}#${dose.doseAt}`,
        summary: `Dose of ${local.toFormat('HH:mm')} on ${local.toISODate()} not taken (${dose.detectedBy === 'device' ? 'reported by the dispenser' : 'no dose taken by the deadline'})`,
        occurredAt: new Date(dose.doseAt),
        details: { doseAt: dose.doseAt, detectedBy: dose.detectedBy },
        by: dose.by,
      },
      [mark],
      (alertId) => [
        domainEvent(
          'DoseMissed',
          {
            citizenId: dose.citizenId,
            team: dose.team,
            dispenserId: dose.dispenserId,
            doseAt: dose.doseAt,
            detectedBy: dose.detectedBy,
            alertId,
          },
          now,
        ),
      ],
    );
    return raised;
  } catch (error) {
    // The take came first (or another raise did): nothing to alert.
    if (error instanceof TransactionConflict) return false;
    throw error;
  }
}
