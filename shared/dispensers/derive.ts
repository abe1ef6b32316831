import { createHash } from 'node:crypto';
import { Duration } from 'luxon';
import { raiseAlert, resolveAlertByDedupKey } from '#shared/alerts/alerts.ts';
import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';
import { logger } from '#shared/platform/logger.ts';
import { alertKeys } from '#shared/table/keys.ts';
import { getItem, type Item } from '#shared/table/store.ts';
import { missedDoseAlert } from './alerts.ts';
import { eventPlacer } from './placement.ts';
import { doseEventTypes, faultEventTypes, type DoseEventType, type FaultEventType } from './model.ts';
import { hourKey } from './schedule.ts';
import {
  addSeenHours,
  addToDoseRecord,
  lowerAlertOccurredAt,
  markRawEventRefused,
  placeRawEvent,
  readDispenser,
  recordContactAt,
  type DispenserItem,
} from './store.ts';

/**
 * Derived state of device data, made from the stored raw events as they appear on the table's
 * stream (their INSERTs), never by the request that stored them. Read → decide → write: what to
 * add is planned from the events alone (`planDerivation`, pure); each write is idempotent and
 * independent of order, so a redelivery, a retry after a failure half-way, or events arriving in
 * any order end in the same state:
 *  - dose records and seen days are string sets, only ever ADDed to;
 *  - the contact time only moves forward (a condition), to the latest `receivedAt` stored;
 *  - a missed-dose alert or a fault alert is one per cause (the cause claim); a fault alert's
 *    `occurredAt` is lowered to the earliest fault of the episode that is stored, whatever
 *    arrived first;
 *  - the audit record of a post is keyed by the post (dispenser, request, citizen), written once.
 */
export interface StoredEvent {
  dispenserId: string;
  team: string;
  citizenId: string;
  eventId: string;
  type: string;
  occurredAt: string;
  doseAt?: string;
  receivedAt: string;
  requestId: string;
  scheduledFor?: string;
  credentialIssuedAt?: string;
  decidedFromCache?: boolean;
}

const setKey = (type: DoseEventType) =>
  ({ dose_taken: 'takenAts', dose_missed: 'missedAts', dose_late: 'lateAts', dose_dispensed: 'dispensedAts' })[type];

export interface DosePlanned {
  citizenId: string;
  doseAt: string;
  sets: Record<string, Set<string>>;
  /** The last event about the dose, whose post an alert is attributed to. */
  last: StoredEvent;
}

export interface DerivationPlan {
  doses: DosePlanned[];
  seenDays: { citizenId: string; date: string; hours: Set<string> }[];
  /** The earliest event of each fault type. */
  faults: [FaultEventType, StoredEvent][];
  latestReceivedAt: string;
  /** One event per post and citizen: the audit of device data. */
  posts: StoredEvent[];
}

const isDose = (type: string): type is DoseEventType => (doseEventTypes as readonly string[]).includes(type);
const isFault = (type: string): type is FaultEventType => (faultEventTypes as readonly string[]).includes(type);

/** What one dispenser's stored events add, from the events alone. */
export function planDerivation(events: readonly StoredEvent[]): DerivationPlan {
  const doses = new Map<string, DosePlanned>();
  const seen = new Map<string, { citizenId: string; date: string; hours: Set<string> }>();
  const faults = new Map<FaultEventType, StoredEvent>();
  const posts = new Map<string, StoredEvent>();
  let latestReceivedAt = '';
  for (const e of events) {
    const hour = hourKey(new Date(e.occurredAt));
    const date = hour.slice(0, 10);
    const day = seen.get(`${e.citizenId}#${date}`) ?? { citizenId: e.citizenId, date, hours: new Set<string>() };
    day.hours.add(hour.slice(11, 13));
    seen.set(`${e.citizenId}#${date}`, day);
    if (e.doseAt && isDose(e.type)) {
      const key = `${e.citizenId}#${e.doseAt}`;
      const dose = doses.get(key) ?? { citizenId: e.citizenId, doseAt: e.doseAt, sets: {}, last: e };
      (dose.sets[setKey(e.type)] ??= new Set()).add(e.occurredAt);
      dose.last = e;
      doses.set(key, dose);
    }
    const earlier = isFault(e.type) ? faults.get(e.type) : undefined;
    if (isFault(e.type) && (!earlier || e.occurredAt < earlier.occurredAt)) faults.set(e.type, e);
    posts.set(`${e.requestId}#${e.citizenId}`, e);
    if (e.receivedAt > latestReceivedAt) latestReceivedAt = e.receivedAt;
  }
  return {
    doses: [...doses.values()],
    seenDays: [...seen.values()],
    faults: [...faults],
    latestReceivedAt,
    posts: [...posts.values()],
  };
}

/** Only when a dose's record says so: a device-reported miss raises its alert, a take clears one. */
export function doseAlertAction(record: Item): 'resolve' | 'raise' | undefined {
  const takenAts = record.takenAts as Set<string> | undefined;
  const missedAts = record.missedAts as Set<string> | undefined;
  if (takenAts?.size && record.alertRaisedAt) return 'resolve';
  if (!takenAts?.size && missedAts?.size && !record.alertRaisedAt) return 'raise';
  return undefined;
}

/** Silence is measured in minutes: a device posting often need not rewrite its item each time. */
const CONTACT_GRANULARITY = Duration.fromObject({ minutes: 1 });

/** Whether the dispenser item's contact time should move to `at`. */
export function contactNeedsWrite(
  device: Pick<DispenserItem, 'silentAlertKey' | 'lastContactAt'>,
  at: string,
): boolean {
  if (device.silentAlertKey || !device.lastContactAt) return true;
  return Date.parse(at) - Date.parse(device.lastContactAt) >= CONTACT_GRANULARITY.toMillis();
}

/** Why an event accepted on a cached dispenser item is not derived after all. */
export type RefusalReason = 'credential-replaced' | 'not-assigned';

export interface CachedDecisionReview {
  /** What to derive from: every event that stands, placed as the dispenser item says. */
  readonly events: StoredEvent[];
  /** Events whose citizen or planned dose the stored dispenser places differently (to be stored so). */
  readonly corrected: StoredEvent[];
  readonly refused: { event: StoredEvent; reason: RefusalReason }[];
}

/** Whether the credential an event came with was the dispenser's when the event was received. */
export function credentialValidAt(
  device: Pick<DispenserItem, 'credentialIssuedAt' | 'previousCredentialIssuedAt'>,
  event: Pick<StoredEvent, 'credentialIssuedAt' | 'receivedAt'>,
): boolean {
  if (event.credentialIssuedAt === device.credentialIssuedAt) return true;
  return (
    event.credentialIssuedAt !== undefined &&
    event.credentialIssuedAt === device.previousCredentialIssuedAt &&
    event.receivedAt < device.credentialIssuedAt
  );
}

/**
 * An event accepted on a dispenser item the ingest had cached (`decidedFromCache`) is decided
 * again on the item as stored now, with the request's own rules: its credential must have been
 * the dispenser's when it was received (a credential replaced meanwhile by another function is
 * refused here), and it is placed on the citizen and planned dose the stored attribution gives.
 * Events decided on a read of their own post stand as stored.
 */
export function reviewCachedDecisions(
  events: readonly StoredEvent[],
  device: DispenserItem | undefined,
  zone: string,
): CachedDecisionReview {
  const place = device ? eventPlacer(device, zone) : undefined;
  const review = {
    events: [] as StoredEvent[],
    corrected: [] as StoredEvent[],
    refused: [] as CachedDecisionReview['refused'],
  };
  for (const e of events) {
    if (!e.decidedFromCache) review.events.push(e);
    else if (!device || !place || !credentialValidAt(device, e))
      review.refused.push({ event: e, reason: 'credential-replaced' });
    else {
      const placed = place({ ...e, occurredAt: new Date(e.occurredAt) });
      if (!placed) review.refused.push({ event: e, reason: 'not-assigned' });
      else if (placed.citizenId === e.citizenId && placed.doseAt === e.doseAt) review.events.push(e);
      else {
        const moved = { ...e, citizenId: placed.citizenId, ...(placed.doseAt ? { doseAt: placed.doseAt } : {}) };
        if (!placed.doseAt) delete moved.doseAt;
        review.events.push(moved);
        review.corrected.push(moved);
      }
    }
  }
  return review;
}

export async function deriveFromDeviceEvents(deps: Deps, items: readonly Record<string, unknown>[]): Promise<void> {
  const byDispenser = new Map<string, StoredEvent[]>();
  for (const item of items as unknown as StoredEvent[])
    byDispenser.set(item.dispenserId, [...(byDispenser.get(item.dispenserId) ?? []), item]);
  for (const [dispenserId, events] of byDispenser) await deriveForDispenser(deps, dispenserId, events);
}

const systemOf =
  (dispenserId: string) =>
  (e: Pick<StoredEvent, 'receivedAt' | 'requestId'>): SystemContext => ({
    system: `dispenser:${dispenserId}`,
    requestId: e.requestId,
    now: new Date(e.receivedAt),
  });

/** Stores what the review decided, so a later delivery or a replay finds the event as it was derived. */
async function settleReview(deps: Deps, dispenserId: string, review: CachedDecisionReview): Promise<void> {
  for (const { event, reason } of review.refused) {
    logger.warn('device event accepted on a cached dispenser item is refused on review', {
      dispenserId,
      eventId: event.eventId,
      reason,
    });
    await markRawEventRefused(deps.table, dispenserId, event.eventId, reason);
  }
  for (const e of review.corrected) await placeRawEvent(deps.table, dispenserId, e.eventId, e);
}

async function deriveForDispenser(deps: Deps, dispenserId: string, received: readonly StoredEvent[]): Promise<void> {
  const team = received[0]?.team;
  if (!team) return;
  const device = await readDispenser(deps.table, dispenserId);
  const review = reviewCachedDecisions(received, device, deps.config.TIME_ZONE);
  await settleReview(deps, dispenserId, review);
  const { events } = review;
  if (events.length === 0) return;
  const plan = planDerivation(events);
  const by = systemOf(dispenserId);
  const [records] = await Promise.all([
    Promise.all(
      plan.doses.map(async (dose) => ({ dose, record: await addToDoseRecord(deps.table, { ...dose, dispenserId }) })),
    ),
    Promise.all(plan.seenDays.map((day) => addSeenHours(deps.table, day))),
  ]);
  for (const { dose, record } of records) {
    const action = doseAlertAction(record);
    if (action === 'resolve')
      await resolveAlertByDedupKey(
        deps,
        `missed_dose#${dose.citizenId}#${dose.doseAt}`,
        'The dispenser reported the dose taken.',
        `dispenser:${dispenserId}`,
      );
    else if (action === 'raise')
      await missedDoseAlert(deps, {
        team,
        citizenId: dose.citizenId,
        dispenserId,
        doseAt: dose.doseAt,
        detectedBy: 'device',
        by: by(dose.last),
      });
  }
  for (const [fault, e] of plan.faults) await raiseFault(deps, team, dispenserId, fault, e, by(e));
  if (device) await recordContact(deps, device, plan.latestReceivedAt);
  const audit = auditLogOf(deps);
  for (const e of plan.posts) {
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
  if (typeof cause?.alertId === 'string') await lowerAlertOccurredAt(deps.table, cause.alertId, e.occurredAt);
}

/**
 * The dispenser was heard from at `at` (when the server stored the post: a device with a wrong
 * clock is still there). A silence alert is resolved before the dispenser item forgets it, so a
 * failure in between is completed by the next delivery. Moves it in the assigned index; never
 * backwards.
 */
async function recordContact(deps: Deps, device: DispenserItem, at: string): Promise<void> {
  const { dispenserId } = device;
  if (device.silentAlertKey)
    await resolveAlertByDedupKey(
      deps,
      device.silentAlertKey,
      'The dispenser is heard from again.',
      `dispenser:${dispenserId}`,
    );
  if (contactNeedsWrite(device, at))
    await recordContactAt(deps.table, dispenserId, at, device.assignment !== undefined);
}
