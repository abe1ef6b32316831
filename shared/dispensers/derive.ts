import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { alertSchema, raiseAlert, resolveAlertByDedupKey } from '#shared/alerts/alerts.ts';
import { auditLog, type SystemContext } from '#shared/audit/audit.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { alertKeys, dispenserKeys } from '#shared/table/keys.ts';
import { getItem } from '#shared/table/store.ts';
import { missedDoseAlert } from './alerts.ts';
import { doseEventTypes, faultEventTypes, type DoseEventType, type FaultEventType } from './model.ts';
import { hourKey } from './schedule.ts';
import { updateInput, type DispenserItem } from './store.ts';

/**
 * Derived state of device data, made from the stored raw events as they appear on the table's
 * stream (their INSERTs), never by the request that stored them. Every step is idempotent and
 * independent of order, so a redelivery, a retry after a failure half-way, or events arriving in
 * any order end in the same state:
 *  - dose records and seen days are string sets, only ever ADDed to;
 *  - the contact time only moves forward (a condition), to the latest `receivedAt` stored;
 *  - a missed-dose alert or a fault alert is one per cause (the cause claim); a fault alert's
 *    `occurredAt` is lowered to the earliest fault of the episode that is stored, whatever
 *    arrived first;
 *  - the audit record of a post is keyed by the post (dispenser, request, citizen), written once.
 */
interface StoredEvent {
  dispenserId: string;
  team: string;
  citizenId: string;
  eventId: string;
  type: string;
  occurredAt: string;
  doseAt?: string;
  receivedAt: string;
  requestId: string;
}

const setKey = (type: DoseEventType) =>
  ({ dose_taken: 'takenAts', dose_missed: 'missedAts', dose_late: 'lateAts', dose_dispensed: 'dispensedAts' })[type];

export async function deriveFromDeviceEvents(deps: Deps, items: readonly Record<string, unknown>[]): Promise<void> {
  const byDispenser = new Map<string, StoredEvent[]>();
  for (const item of items as unknown as StoredEvent[])
    byDispenser.set(item.dispenserId, [...(byDispenser.get(item.dispenserId) ?? []), item]);
  for (const [dispenserId, events] of byDispenser) await deriveForDispenser(deps, dispenserId, events);
}

async function deriveForDispenser(deps: Deps, dispenserId: string, events: readonly StoredEvent[]): Promise<void> {
  const first = events[0];
  if (!first) return;
  const team = first.team;
  const by = (e: Pick<StoredEvent, 'receivedAt' | 'requestId'>): SystemContext => ({
    system: `dispenser:${dispenserId}`,
    requestId: e.requestId,
    now: new Date(e.receivedAt),
  });

  // Dose records and seen days: ADDs to sets.
  const doses = new Map<
    string,
    { citizenId: string; doseAt: string; sets: Record<string, Set<string>>; last: StoredEvent }
  >();
  const seen = new Map<string, { citizenId: string; date: string; hours: Set<string> }>();
  for (const e of events) {
    const hour = hourKey(new Date(e.occurredAt));
    const dayKey = `${e.citizenId}#${hour.slice(0, 10)}`;
    const day = seen.get(dayKey) ?? { citizenId: e.citizenId, date: hour.slice(0, 10), hours: new Set<string>() };
    day.hours.add(hour.slice(11, 13));
    seen.set(dayKey, day);
    if (e.doseAt && (doseEventTypes as readonly string[]).includes(e.type)) {
      const key = `${e.citizenId}#${e.doseAt}`;
      const dose = doses.get(key) ?? { citizenId: e.citizenId, doseAt: e.doseAt, sets: {}, last: e };
      (dose.sets[setKey(e.type as DoseEventType)] ??= new Set()).add(e.occurredAt);
      dose.last = e;
      doses.set(key, dose);
    }
  }
  const [doseResults] = await Promise.all([
    Promise.all(
      [...doses.values()].map(async (dose) => {
        const result = await deps.table.db.send(
          new UpdateCommand({
            ...updateInput(deps.table, dispenserKeys.dose(dose.citizenId, dose.doseAt), {
              set: { entity: 'DoseRecord', citizenId: dose.citizenId, doseAt: dose.doseAt, dispenserId },
              add: dose.sets,
            }),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { ...dose, record: result.Attributes ?? {} };
      }),
    ),
    Promise.all(
      [...seen.values()].map((day) =>
        deps.table.db.send(
          new UpdateCommand(
            updateInput(deps.table, dispenserKeys.seenDay(day.citizenId, day.date), {
              set: { entity: 'DeviceSeenDay', citizenId: day.citizenId, date: day.date },
              add: { hours: day.hours },
            }),
          ),
        ),
      ),
    ),
  ]);

  // Only when a dose's record says so: a device-reported miss raises its alert, a take clears one.
  for (const dose of doseResults) {
    const takenAts = dose.record.takenAts as Set<string> | undefined;
    const missedAts = dose.record.missedAts as Set<string> | undefined;
    if (takenAts?.size && dose.record.alertRaisedAt) {
      await resolveAlertByDedupKey(
        deps,
        `missed_dose#${dose.citizenId}#${dose.doseAt}`,
        'The dispenser reported the dose taken.',
        `dispenser:${dispenserId}`,
      );
    } else if (!takenAts?.size && missedAts?.size && !dose.record.alertRaisedAt) {
      await missedDoseAlert(deps, {
        team,
        citizenId: dose.citizenId,
        dispenserId,
        doseAt: dose.doseAt,
        detectedBy: 'device',
        by: by(dose.last),
      });
    }
  }

  // Faults: one alert per episode, carrying the earliest fault stored.
  const faults = new Map<FaultEventType, StoredEvent>();
  for (const e of events) {
    if (!(faultEventTypes as readonly string[]).includes(e.type)) continue;
    const earlier = faults.get(e.type as FaultEventType);
    if (!earlier || e.occurredAt < earlier.occurredAt) faults.set(e.type as FaultEventType, e);
  }
  for (const [fault, e] of faults) await raiseFault(deps, team, dispenserId, fault, e, by(e));

  await recordContact(
    deps,
    dispenserId,
    events.reduce((latest, e) => (e.receivedAt > latest ? e.receivedAt : latest), first.receivedAt),
  );

  // The audit of device data: one record per post and citizen, keyed by them.
  const posts = new Map<string, StoredEvent>();
  for (const e of events) posts.set(`${e.requestId}#${e.citizenId}`, e);
  const audit = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
  for (const e of posts.values()) {
    const auditId = `aud_dev_${createHash('sha256').update(`${dispenserId}|${e.requestId}|${e.citizenId}`).digest('hex').slice(0, 26)}`;
    await audit.recordOnce(
      by(e),
      { action: 'device-events.ingest', resource: `dispensers/${dispenserId}/events`, citizenId: e.citizenId },
      auditId,
    );
  }
}

async function raiseFault(
  deps: Deps,
  team: string,
  dispenserId: string,
  fault: FaultEventType,
  e: StoredEvent,
  by: SystemContext,
): Promise<void> {
  const dedupKey = `device_fault#${dispenserId}#${fault}`;
  const { raised } = await raiseAlert(
    deps,
    {
      kind: 'device_fault',
      team,
      citizenId: e.citizenId,
      dispenserId,
      dedupKey,
      reraiseAfterResolve: true,
      summary: `Dispenser ${dispenserId} reports ${fault.replace('_', ' ')}`,
      occurredAt: new Date(e.occurredAt),
      details: { fault },
      by,
    },
    [],
    (alertId) => [
      domainEvent(
        'DeviceFault',
        { dispenserId, citizenId: e.citizenId, team, fault, occurredAt: e.occurredAt, alertId },
        by.now,
      ),
    ],
  );
  if (raised) return;
  // The episode's alert exists: it keeps the earliest fault, while it is not resolved.
  const cause = await getItem(deps.table, alertKeys.cause(dedupKey), { consistent: true });
  if (typeof cause?.alertId !== 'string') return;
  const alert = await getItem(deps.table, alertKeys.alert(cause.alertId), { consistent: true });
  if (!alert || alertSchema.parse(alert).status === 'resolved') return;
  try {
    await deps.table.db.send(
      new UpdateCommand({
        TableName: deps.table.name,
        Key: alertKeys.alert(cause.alertId),
        UpdateExpression: 'SET occurredAt = :at',
        ConditionExpression: 'occurredAt > :at AND #status <> :resolved',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': e.occurredAt, ':resolved': 'resolved' },
      }),
    );
  } catch (error) {
    if (
      !(error instanceof ConditionalCheckFailedException) &&
      (error as Error).name !== 'ConditionalCheckFailedException'
    )
      throw error;
  }
}

/**
 * The dispenser was heard from at `at` (when the server stored the post: a device with a wrong
 * clock is still there). A silence alert is resolved before the dispenser item forgets it, so a
 * failure in between is completed by the next delivery. Moves it in the assigned index; never
 * backwards.
 */
async function recordContact(deps: Deps, dispenserId: string, at: string): Promise<void> {
  const device = await getItem<DispenserItem & Record<string, unknown>>(
    deps.table,
    dispenserKeys.dispenser(dispenserId),
    { consistent: true },
  );
  if (!device) return;
  if (device.silentAlertKey)
    await resolveAlertByDedupKey(
      deps,
      device.silentAlertKey,
      'The dispenser is heard from again.',
      `dispenser:${dispenserId}`,
    );
  // Silence is measured in minutes (DEVICE_SILENT_AFTER_MINUTES ≥ 5): a device posting often need not rewrite its item each time.
  if (!device.silentAlertKey && device.lastContactAt && Date.parse(at) - Date.parse(device.lastContactAt) < 60_000)
    return;
  try {
    await deps.table.db.send(
      new UpdateCommand(
        updateInput(
          deps.table,
          dispenserKeys.dispenser(dispenserId),
          device.assignment
            ? {
                set: { lastContactAt: at, ...dispenserKeys.assigned(at, dispenserId) },
                remove: ['silentAlertKey'],
                // Never move backwards, and never index a dispenser that was taken back meanwhile.
                condition:
                  'attribute_exists(assignment) AND (attribute_not_exists(lastContactAt) OR lastContactAt < :at)',
                values: { ':at': at },
              }
            : {
                set: { lastContactAt: at },
                condition: 'attribute_exists(pk) AND (attribute_not_exists(lastContactAt) OR lastContactAt < :at)',
                values: { ':at': at },
              },
        ),
      ),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
