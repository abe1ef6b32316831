import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { raiseAlert, resolveAlertByDedupKey } from '../alerts/alerts.ts';
import { auditLog, type SystemContext } from '../audit/audit.ts';
import type { Deps } from '../platform/deps.ts';
import { ForbiddenError, PayloadTooLargeError, UnauthenticatedError, type FieldError } from '../platform/errors.ts';
import { domainEvent, type DomainEvent } from '../platform/events.ts';
import { logger } from '../platform/logger.ts';
import { dispenserKeys } from '../table/keys.ts';
import { expiresAfterDays, getItem } from '../table/store.ts';
import { claimedDispenser, credentialMatches } from './credential.ts';
import {
  deviceEventSchema,
  doseEventTypes,
  faultEventTypes,
  FUTURE_TOLERANCE_MINUTES,
  MAX_EVENTS_PER_BATCH,
  type DeviceEvent,
  type DoseEventType,
  type FaultEventType,
  type IngestResult,
} from './model.ts';
import { doseMatcher, hourKey } from './schedule.ts';
import { batchGet, batchPut, updateInput, type DispenserItem } from './store.ts';
import { missedDoseAlert } from './alerts.ts';

/**
 * POST /dispensers/{id}/events: a device's batch. Built for throughput and for devices that
 * retry, repeat and reorder:
 *  - two DynamoDB round trips in the common case: (1) one BatchGetItem of the dispenser item
 *    (credential hash, assignment periods, plan copy), the batch's event keys and the seen days
 *    of the citizen the previous post went to; (2) every write in parallel: new raw events
 *    (BatchWriteItem), the audit record (a conditional Put: the stack denies BatchWriteItem on
 *    audit partitions, so append-only holds in IAM too), one UpdateItem per dose and per day that
 *    gains an hour, the contact time (at most once a minute), fault alerts;
 *  - derived state is only ever ADDed to string sets (times a dose was taken, reported missed…)
 *    and read as "the earliest", so repeats and any order give the same result;
 *  - each event is validated on its own: the good ones are stored, the bad ones reported by index.
 */

export interface DeviceCall {
  readonly dispenserId: string;
  readonly credential: string | undefined;
  readonly requestId: string;
}

const fieldsOf = (index: number, issues: readonly { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[]): FieldError[] =>
  issues.map((issue) => ({
    field: ['events', String(index), ...issue.path.map(String)].join('/'),
    message: issue.code === 'unrecognized_keys' && issue.keys ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));

interface Candidate {
  index: number;
  event: DeviceEvent;
  occurredAt: Date;
}

/** Schema, clock and retention checks of one event: no I/O. */
export function checkEvents(raw: readonly unknown[], now: Date, retentionDays: number): { candidates: Candidate[]; rejected: IngestResult['rejected'] } {
  const candidates: Candidate[] = [];
  const rejected: IngestResult['rejected'] = [];
  const latest = now.getTime() + FUTURE_TOLERANCE_MINUTES * 60_000;
  const earliest = now.getTime() - retentionDays * 86_400_000;
  raw.forEach((value, index) => {
    const eventId = typeof (value as { eventId?: unknown } | null)?.eventId === 'string' ? ((value as { eventId: string }).eventId.slice(0, 128)) : undefined;
    const parsed = deviceEventSchema.safeParse(value);
    if (!parsed.success) {
      rejected.push({ index, ...(eventId ? { eventId } : {}), errors: fieldsOf(index, parsed.error.issues as never) });
      return;
    }
    const occurredAt = new Date(parsed.data.occurredAt);
    if (occurredAt.getTime() > latest) {
      rejected.push({ index, eventId: parsed.data.eventId, errors: [{ field: `events/${index}/occurredAt`, message: `is more than ${FUTURE_TOLERANCE_MINUTES} minutes ahead of the server clock` }] });
      return;
    }
    if (occurredAt.getTime() < earliest) {
      rejected.push({ index, eventId: parsed.data.eventId, errors: [{ field: `events/${index}/occurredAt`, message: `is older than the ${retentionDays}-day retention of device events` }] });
      return;
    }
    candidates.push({ index, event: parsed.data, occurredAt });
  });
  return { candidates, rejected };
}

/** The citizen a dispenser was with at `at`, from the periods on the dispenser item. */
export function citizenAt(device: Pick<DispenserItem, 'periods'>, at: Date): string | undefined {
  const t = at.toISOString();
  return device.periods.find((p) => p.from <= t && (!p.to || t < p.to))?.citizenId;
}

/** 401 for a missing, malformed, wrong or revoked credential; 403 for another dispenser's valid one. */
async function refuseForeignCredential(deps: Deps, credential: string, claimed: string): Promise<never> {
  const other = await getItem<DispenserItem & Record<string, unknown>>(deps.table, dispenserKeys.dispenser(claimed), { consistent: true });
  if (other && credentialMatches(credential, other.credentialHash)) throw new ForbiddenError('This credential belongs to another dispenser.');
  throw new UnauthenticatedError('The device credential is not valid.');
}

/**
 * The citizen each dispenser's last post was attributed to, in this process (a warm Lambda): a
 * hint for which seen-day items to read with the first round trip. A wrong or stale hint only
 * reads items no event is compared with, so the seen-day write is then kept.
 */
const lastCitizenOf = new Map<string, string>();
const HINTS_KEPT = 10_000;

/** The seen-day keys of the hinted citizen for the UTC dates of the batch, when they fit in the same BatchGetItem chunk. */
function seenDayKeysToRead(citizenId: string | undefined, events: readonly Candidate[], keysSoFar: number) {
  if (!citizenId) return [];
  const dates = [...new Set(events.map((c) => c.occurredAt.toISOString().slice(0, 10)))];
  // One BatchGetItem takes 100 keys; a second request would cost more than the write it saves.
  if (keysSoFar + dates.length > 100) return [];
  return dates.map((date) => dispenserKeys.seenDay(citizenId, date));
}

const setKey = (type: DoseEventType) =>
  ({ dose_taken: 'takenAts', dose_missed: 'missedAts', dose_late: 'lateAts', dose_dispensed: 'dispensedAts' })[type];

export async function ingestDeviceEvents(deps: Deps, call: DeviceCall, body: { events: readonly unknown[] }): Promise<IngestResult> {
  const credential = call.credential;
  const claimed = credential ? claimedDispenser(credential) : undefined;
  if (!credential || !claimed) throw new UnauthenticatedError('A valid device credential is required.');
  if (claimed !== call.dispenserId) return refuseForeignCredential(deps, credential, claimed);
  if (body.events.length > MAX_EVENTS_PER_BATCH) {
    throw new PayloadTooLargeError(`A batch carries at most ${MAX_EVENTS_PER_BATCH} events; this one has ${body.events.length}. Send the rest in another batch.`);
  }
  const now = deps.clock.now();
  const { candidates, rejected } = checkEvents(body.events, now, deps.config.RAW_EVENT_RETENTION_DAYS);

  // Repeats inside the batch: the first one counts; BatchWriteItem refuses two puts of one key anyway.
  const firstById = new Map<string, Candidate>();
  let duplicates = 0;
  for (const c of candidates) {
    if (firstById.has(c.event.eventId)) duplicates++;
    else firstById.set(c.event.eventId, c);
  }
  const unique = [...firstById.values()];

  // Round trip 1, one BatchGetItem: who is calling, which of these events we already have, and
  // the hours already recorded on the seen days of the citizen the dispenser is with, so a day
  // that gains no hour is not written. That citizen is on the device item being read, so the
  // keys come from this process's previous post of the dispenser; without one, the writes stay.
  const deviceKey = dispenserKeys.dispenser(call.dispenserId);
  const eventKeys = unique.map((c) => dispenserKeys.rawEvent(call.dispenserId, c.event.eventId));
  const seenKeys = seenDayKeysToRead(lastCitizenOf.get(call.dispenserId), unique, eventKeys.length + 1);
  const read = await batchGet<{ pk: string; sk: string; type: string; occurredAt: string; hours?: Set<string> }>(
    deps.table,
    [deviceKey, ...eventKeys, ...seenKeys],
    { consistent: true, now },
  );
  const device = read.find((i) => i.pk === deviceKey.pk && i.sk === deviceKey.sk) as (DispenserItem & Record<string, unknown>) | undefined;
  if (!device || !credentialMatches(credential, device.credentialHash)) throw new UnauthenticatedError('The device credential is not valid.');
  const eventsPk = dispenserKeys.rawEvent(call.dispenserId, '').pk;
  const stored = new Map(read.filter((i) => i.pk === eventsPk).map((e) => [e.sk, e]));
  const recordedHours = new Map(read.filter((i) => i.pk !== eventsPk && i.pk !== deviceKey.pk).map((i) => [`${i.pk}|${i.sk}`, i.hours]));
  const zone = deps.config.TIME_ZONE;
  // One matcher per plan and batch: the planned doses of each date are computed once.
  const currentPlanMatch = doseMatcher(device.dosePlan, zone);
  const scheduledForMatch = doseMatcher(undefined, zone);
  const fresh: (Candidate & { citizenId: string; doseAt?: string | undefined })[] = [];
  const known: (Candidate & { citizenId: string; doseAt?: string | undefined })[] = [];
  for (const c of unique) {
    const citizenId = citizenAt(device, c.occurredAt);
    if (!citizenId) {
      rejected.push({ index: c.index, eventId: c.event.eventId, errors: [{ field: `events/${c.index}/occurredAt`, message: 'the dispenser was not assigned to a citizen at this time' }] });
      continue;
    }
    const before = stored.get(c.event.eventId);
    if (before && (before.type !== c.event.type || before.occurredAt !== c.occurredAt.toISOString())) {
      rejected.push({ index: c.index, eventId: c.event.eventId, errors: [{ field: `events/${c.index}/eventId`, message: 'was already used for a different event' }] });
      continue;
    }
    const isDose = (doseEventTypes as readonly string[]).includes(c.event.type);
    // The plan copy is the current citizen's; an event of an earlier citizen is matched by its scheduledFor only.
    const match = citizenId === device.assignment?.citizenId ? currentPlanMatch : scheduledForMatch;
    const doseAt = isDose ? match(c.occurredAt, c.event.scheduledFor ? new Date(c.event.scheduledFor) : undefined) : undefined;
    (before ? known : fresh).push({ ...c, citizenId, doseAt });
  }
  duplicates += known.length;
  rejected.sort((a, b) => a.index - b.index);

  // Derived state from every accepted event, repeats included: ADDs to sets are idempotent, and a
  // retry after a half-done batch must still complete what the first attempt began.
  const attributed = [...fresh, ...known];
  const doses = new Map<string, { citizenId: string; doseAt: string; sets: Record<string, Set<string>> }>();
  const seen = new Map<string, { citizenId: string; date: string; hours: Set<string> }>();
  for (const e of attributed) {
    const hour = hourKey(e.occurredAt);
    const seenKey = `${e.citizenId}#${hour.slice(0, 10)}`;
    const day = seen.get(seenKey) ?? { citizenId: e.citizenId, date: hour.slice(0, 10), hours: new Set<string>() };
    day.hours.add(hour.slice(11, 13));
    seen.set(seenKey, day);
    if (e.doseAt) {
      const key = `${e.citizenId}#${e.doseAt}`;
      const dose = doses.get(key) ?? { citizenId: e.citizenId, doseAt: e.doseAt, sets: {} };
      const attr = setKey(e.event.type as DoseEventType);
      (dose.sets[attr] ??= new Set()).add(e.occurredAt.toISOString());
      doses.set(key, dose);
    }
  }

  const system: SystemContext = { system: `dispenser:${call.dispenserId}`, requestId: call.requestId, now };
  const audit = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
  const freshCitizens = [...new Set(fresh.map((e) => e.citizenId))];
  const faults = new Map<FaultEventType, Candidate & { citizenId: string }>();
  for (const e of fresh) {
    if (!(faultEventTypes as readonly string[]).includes(e.event.type)) continue;
    const fault = e.event.type as FaultEventType;
    const earlier = faults.get(fault);
    if (!earlier || e.occurredAt < earlier.occurredAt) faults.set(fault, e);
  }
  const retention = deps.config.RAW_EVENT_RETENTION_DAYS;
  const published: DomainEvent[] = [];

  const auditEntries = freshCitizens.map((citizenId) => ({ action: 'device-events.ingest' as const, resource: `dispensers/${call.dispenserId}/events`, citizenId }));

  // Round trip 2: everything at once.
  const [, , doseResults, , previousContact] = await Promise.all([
    // Never in the BatchWriteItem below: IAM denies batch writes to audit partitions.
    auditEntries.length > 0 ? audit.recordRead(system, ...auditEntries) : Promise.resolve(),
    batchPut(deps.table, [
      ...fresh.map((e) => ({
        ...dispenserKeys.rawEvent(call.dispenserId, e.event.eventId),
        entity: 'DeviceEvent',
        dispenserId: call.dispenserId,
        citizenId: e.citizenId,
        eventId: e.event.eventId,
        type: e.event.type,
        occurredAt: e.occurredAt.toISOString(),
        // The device's own spelling (its offset), only when it differs from the UTC form.
        ...(e.event.occurredAt !== e.occurredAt.toISOString() ? { deviceTime: e.event.occurredAt } : {}),
        ...(e.event.scheduledFor ? { scheduledFor: e.event.scheduledFor } : {}),
        ...(e.doseAt ? { doseAt: e.doseAt } : {}),
        ...(e.event.details ? { details: e.event.details } : {}),
        receivedAt: now.toISOString(),
        expiresAt: expiresAfterDays(retention, e.occurredAt),
      })),
    ]),
    Promise.all(
      [...doses.values()].map(async (dose) => {
        const result = await deps.table.db.send(
          new UpdateCommand({
            ...updateInput(deps.table, dispenserKeys.dose(dose.citizenId, dose.doseAt), {
              set: { entity: 'DoseRecord', citizenId: dose.citizenId, doseAt: dose.doseAt, dispenserId: call.dispenserId },
              add: Object.fromEntries(Object.entries(dose.sets).map(([attr, values]) => [attr, values])),
            }),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { ...dose, record: result.Attributes ?? {} };
      }),
    ),
    Promise.all(
      [...seen.values()].filter((day) => !hoursAlreadyRecorded(recordedHours, day)).map((day) =>
        deps.table.db.send(new UpdateCommand(updateInput(deps.table, dispenserKeys.seenDay(day.citizenId, day.date), { set: { entity: 'DeviceSeenDay', citizenId: day.citizenId, date: day.date }, add: { hours: day.hours } }))),
      ),
    ),
    recordContact(deps, device, now),
    Promise.all(
      [...faults.entries()].map(async ([fault, e]) => {
        const { raised, alertId } = await raiseAlert(deps, {
          kind: 'device_fault',
          team: device.team,
          citizenId: e.citizenId,
          dispenserId: call.dispenserId,
          dedupKey: `device_fault#${call.dispenserId}#${fault}`,
          reraiseAfterResolve: true,
          summary: `Dispenser ${call.dispenserId} reports ${fault.replace('_', ' ')}`,
          occurredAt: e.occurredAt,
          details: { fault },
          by: system,
        });
        if (raised) {
          published.push(domainEvent('DeviceFault', { dispenserId: call.dispenserId, citizenId: e.citizenId, team: device.team, fault, occurredAt: e.occurredAt.toISOString(), alertId: alertId ?? '' }, now));
        }
      }),
    ),
  ]);

  // Only when a dose's record says so: a device-reported miss raises its alert, a take clears one.
  await Promise.all(
    doseResults.map(async (dose) => {
      const takenAts = dose.record.takenAts as Set<string> | undefined;
      const missedAts = dose.record.missedAts as Set<string> | undefined;
      const dedupKey = `missed_dose#${dose.citizenId}#${dose.doseAt}`;
      if (takenAts?.size && dose.record.alertRaisedAt) {
        await resolveAlertByDedupKey(deps, dedupKey, 'The dispenser reported the dose taken.', `dispenser:${call.dispenserId}`);
      } else if (!takenAts?.size && missedAts?.size && !dose.record.alertRaisedAt) {
        const raised = await missedDoseAlert(deps, { team: device.team, citizenId: dose.citizenId, dispenserId: call.dispenserId, doseAt: dose.doseAt, detectedBy: 'device', by: system });
        if (raised) published.push(raised);
      }
    }),
  );
  if (previousContact?.silentAlertKey) {
    await resolveAlertByDedupKey(deps, previousContact.silentAlertKey, 'The dispenser is heard from again.', `dispenser:${call.dispenserId}`);
  }
  if (published.length) await deps.events.publish(published);

  if (device.assignment) {
    if (lastCitizenOf.size >= HINTS_KEPT) lastCitizenOf.clear();
    lastCitizenOf.set(call.dispenserId, device.assignment.citizenId);
  } else lastCitizenOf.delete(call.dispenserId);
  return { accepted: fresh.length, duplicates, rejected };
}

/** Hours are only ever added to a seen day, so a day already holding every hour of the batch needs no write. */
function hoursAlreadyRecorded(recorded: ReadonlyMap<string, Set<string> | undefined>, day: { citizenId: string; date: string; hours: Set<string> }): boolean {
  const key = dispenserKeys.seenDay(day.citizenId, day.date);
  const hours = recorded.get(`${key.pk}|${key.sk}`);
  return hours instanceof Set && [...day.hours].every((h) => hours.has(h));
}

const CONTACT_RESOLUTION_MS = 60_000;

/**
 * The dispenser was heard from now (server time: a device with a wrong clock is still there).
 * Moves it in the assigned index and ends a silence; returns what the silence had raised.
 */
async function recordContact(deps: Deps, device: DispenserItem, now: Date): Promise<{ silentAlertKey?: string } | undefined> {
  const at = now.toISOString();
  // Silence is measured in minutes (DEVICE_SILENT_AFTER_MINUTES ≥ 5): a device posting often need not rewrite its item each time.
  if (!device.silentAlertKey && device.lastContactAt && now.getTime() - Date.parse(device.lastContactAt) < CONTACT_RESOLUTION_MS) return undefined;
  const key = dispenserKeys.dispenser(device.dispenserId);
  try {
    const result = await deps.table.db.send(
      new UpdateCommand({
        ...updateInput(
          deps.table,
          key,
          device.assignment
            ? {
                set: { lastContactAt: at, ...dispenserKeys.assigned(at, device.dispenserId) },
                remove: ['silentAlertKey'],
                // Never move backwards, and never index a dispenser that was taken back meanwhile.
                condition: 'attribute_exists(assignment) AND (attribute_not_exists(lastContactAt) OR lastContactAt < :at)',
                values: { ':at': at },
              }
            : { set: { lastContactAt: at }, condition: 'attribute_exists(pk) AND (attribute_not_exists(lastContactAt) OR lastContactAt < :at)', values: { ':at': at } },
        ),
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return result.Attributes as { silentAlertKey?: string } | undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return undefined;
    logger.warn('dispenser contact not recorded', { dispenserId: device.dispenserId, error: error as Error });
    return undefined;
  }
}

