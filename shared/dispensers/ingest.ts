import type { Deps } from '#shared/platform/deps.ts';
import {
  ForbiddenError,
  PayloadTooLargeError,
  UnauthenticatedError,
  type FieldError,
} from '#shared/platform/errors.ts';
import { dispenserKeys } from '#shared/table/keys.ts';
import { expiresAfterDays, getItem } from '#shared/table/store.ts';
import { claimedDispenser, credentialMatches } from './credential.ts';
import {
  deviceEventSchema,
  doseEventTypes,
  FUTURE_TOLERANCE_MINUTES,
  MAX_EVENTS_PER_BATCH,
  type DeviceEvent,
  type IngestResult,
} from './model.ts';
import { doseMatcher } from './schedule.ts';
import { batchGet, batchPut, type DispenserItem } from './store.ts';

/** The raw device event item; its INSERT on the table's stream is what derived state is made from. */
export const DEVICE_EVENT_ENTITY = 'DeviceEvent';

/**
 * POST /dispensers/{id}/events: a device's batch. The request stores the raw events and nothing
 * else: two DynamoDB round trips, (1) one consistent BatchGetItem of the dispenser item
 * (credential hash, attribution periods, plan copy) and the batch's event keys (which are
 * already stored), (2) one BatchWriteItem of the new raw events, each with the citizen it is
 * attributed to and the planned dose it belongs to. That is what the 202 promises.
 *
 * Everything derived — dose records, seen hours, the contact time, missed-dose and fault alerts,
 * the audit record of the device data — is made from the stored events by the stream handler
 * (shared/dispensers/derive.ts), from the INSERT of each event: so a device that retries after
 * any failure, and sees duplicates, ends in the same state as one clean post.
 * Each event is validated on its own: the good ones are stored, the bad ones reported by index.
 */

export interface DeviceCall {
  readonly dispenserId: string;
  readonly credential: string | undefined;
  readonly requestId: string;
}

const fieldsOf = (
  index: number,
  issues: readonly { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[],
): FieldError[] =>
  issues.map((issue) => ({
    field: ['events', String(index), ...issue.path.map(String)].join('/'),
    message:
      issue.code === 'unrecognized_keys' && issue.keys ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));

interface Candidate {
  index: number;
  event: DeviceEvent;
  occurredAt: Date;
}

/** Schema, clock and retention checks of one event: no I/O. */
export function checkEvents(
  raw: readonly unknown[],
  now: Date,
  retentionDays: number,
): { candidates: Candidate[]; rejected: IngestResult['rejected'] } {
  const candidates: Candidate[] = [];
  const rejected: IngestResult['rejected'] = [];
  const latest = now.getTime() + FUTURE_TOLERANCE_MINUTES * 60_000;
  const earliest = now.getTime() - retentionDays * 86_400_000;
  raw.forEach((value, index) => {
    const eventId =
      typeof (value as { eventId?: unknown } | null)?.eventId === 'string'
        ? (value as { eventId: string }).eventId.slice(0, 128)
        : undefined;
    const parsed = deviceEventSchema.safeParse(value);
    if (!parsed.success) {
      rejected.push({ index, ...(eventId ? { eventId } : {}), errors: fieldsOf(index, parsed.error.issues as never) });
      return;
    }
    const occurredAt = new Date(parsed.data.occurredAt);
    if (occurredAt.getTime() > latest) {
      rejected.push({
        index,
        eventId: parsed.data.eventId,
        errors: [
          {
            field: `events/${index}/occurredAt`,
            message: `is more than ${FUTURE_TOLERANCE_MINUTES} minutes ahead of the server clock`,
          },
        ],
      });
      return;
    }
    if (occurredAt.getTime() < earliest) {
      rejected.push({
        index,
        eventId: parsed.data.eventId,
        errors: [
          {
            field: `events/${index}/occurredAt`,
            message: `is older than the ${retentionDays}-day retention of device events`,
          },
        ],
      });
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
  const other = await getItem<DispenserItem & Record<string, unknown>>(deps.table, dispenserKeys.dispenser(claimed), {
    consistent: true,
  });
  if (other && credentialMatches(credential, other.credentialHash))
    throw new ForbiddenError('This credential belongs to another dispenser.');
  throw new UnauthenticatedError('The device credential is not valid.');
}

export async function ingestDeviceEvents(
  deps: Deps,
  call: DeviceCall,
  body: { events: readonly unknown[] },
): Promise<IngestResult> {
  const credential = call.credential;
  const claimed = credential ? claimedDispenser(credential) : undefined;
  if (!credential || !claimed) throw new UnauthenticatedError('A valid device credential is required.');
  if (claimed !== call.dispenserId) return refuseForeignCredential(deps, credential, claimed);
  if (body.events.length > MAX_EVENTS_PER_BATCH) {
    throw new PayloadTooLargeError(
      `A batch carries at most ${MAX_EVENTS_PER_BATCH} events; this one has ${body.events.length}. Send the rest in another batch.`,
    );
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

  // Round trip 1, one BatchGetItem: who is calling, and which of these events we already have.
  const deviceKey = dispenserKeys.dispenser(call.dispenserId);
  const eventKeys = unique.map((c) => dispenserKeys.rawEvent(call.dispenserId, c.event.eventId));
  const read = await batchGet<{ pk: string; sk: string; type: string; occurredAt: string }>(
    deps.table,
    [deviceKey, ...eventKeys],
    { consistent: true, now },
  );
  const device = read.find((i) => i.pk === deviceKey.pk && i.sk === deviceKey.sk) as
    (DispenserItem & Record<string, unknown>) | undefined;
  if (!device || !credentialMatches(credential, device.credentialHash))
    throw new UnauthenticatedError('The device credential is not valid.');
  const eventsPk = dispenserKeys.rawEvent(call.dispenserId, '').pk;
  const stored = new Map(read.filter((i) => i.pk === eventsPk).map((e) => [e.sk, e]));
  const zone = deps.config.TIME_ZONE;
  // One matcher per plan and batch: the planned doses of each date are computed once.
  const currentPlanMatch = doseMatcher(device.dosePlan, zone);
  const scheduledForMatch = doseMatcher(undefined, zone);
  const fresh: (Candidate & { citizenId: string; doseAt?: string | undefined })[] = [];
  const known: (Candidate & { citizenId: string; doseAt?: string | undefined })[] = [];
  for (const c of unique) {
    const citizenId = citizenAt(device, c.occurredAt);
    if (!citizenId) {
      rejected.push({
        index: c.index,
        eventId: c.event.eventId,
        errors: [
          {
            field: `events/${c.index}/occurredAt`,
            message: 'the dispenser was not assigned to a citizen at this time',
          },
        ],
      });
      continue;
    }
    const before = stored.get(c.event.eventId);
    if (before && (before.type !== c.event.type || before.occurredAt !== c.occurredAt.toISOString())) {
      rejected.push({
        index: c.index,
        eventId: c.event.eventId,
        errors: [{ field: `events/${c.index}/eventId`, message: 'was already used for a different event' }],
      });
      continue;
    }
    const isDose = (doseEventTypes as readonly string[]).includes(c.event.type);
    // The plan copy is the current citizen's; an event of an earlier citizen is matched by its scheduledFor only.
    const match = citizenId === device.assignment?.citizenId ? currentPlanMatch : scheduledForMatch;
    const doseAt = isDose
      ? match(c.occurredAt, c.event.scheduledFor ? new Date(c.event.scheduledFor) : undefined)
      : undefined;
    (before ? known : fresh).push({ ...c, citizenId, doseAt });
  }
  duplicates += known.length;
  rejected.sort((a, b) => a.index - b.index);

  // Round trip 2: the new raw events. Derived state follows from their INSERTs on the stream.
  const retention = deps.config.RAW_EVENT_RETENTION_DAYS;
  const receivedAt = now.toISOString();
  await batchPut(
    deps.table,
    fresh.map((e) => ({
      ...dispenserKeys.rawEvent(call.dispenserId, e.event.eventId),
      entity: DEVICE_EVENT_ENTITY,
      dispenserId: call.dispenserId,
      team: device.team,
      citizenId: e.citizenId,
      eventId: e.event.eventId,
      type: e.event.type,
      occurredAt: e.occurredAt.toISOString(),
      // The device's own spelling (its offset), only when it differs from the UTC form.
      ...(e.event.occurredAt !== e.occurredAt.toISOString() ? { deviceTime: e.event.occurredAt } : {}),
      ...(e.event.scheduledFor ? { scheduledFor: e.event.scheduledFor } : {}),
      ...(e.doseAt ? { doseAt: e.doseAt } : {}),
      ...(e.event.details ? { details: e.event.details } : {}),
      receivedAt,
      requestId: call.requestId,
      expiresAt: expiresAfterDays(retention, e.occurredAt),
    })),
  );
  const rejectedAt = new Set(rejected.map((r) => r.index));
  const freshAt = new Set(fresh.map((e) => e.index));
  const results = body.events.map((_, index) =>
    rejectedAt.has(index) ? ('rejected' as const) : freshAt.has(index) ? ('accepted' as const) : ('duplicate' as const),
  );
  return { accepted: fresh.length, duplicates, rejected, results };
}
