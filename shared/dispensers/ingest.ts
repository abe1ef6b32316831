import { Duration } from 'luxon';
import type { Deps } from '#shared/platform/deps.ts';
import {
  ForbiddenError,
  PayloadTooLargeError,
  UnauthenticatedError,
  type FieldError,
} from '#shared/platform/errors.ts';
import { dispenserKeys } from '#shared/table/keys.ts';
import { expiresAfterDays } from '#shared/table/store.ts';
import { claimedDispenser, credentialMatches } from './credential.ts';
import { cachedDispenser, rememberDispenser } from './dispenser-cache.ts';
import {
  deviceEventSchema,
  FUTURE_TOLERANCE_MINUTES,
  MAX_EVENTS_PER_BATCH,
  type DeviceEvent,
  type IngestResult,
} from './model.ts';
import { eventPlacer } from './placement.ts';
import { DEVICE_EVENT_ENTITY } from './device-event-entity.ts';
import {
  putRawEvents,
  readDispenser,
  readIngestState,
  type DispenserItem,
  type RawEventItem,
  type StoredEventContent,
} from './store.ts';

const FUTURE_TOLERANCE_MS = Duration.fromObject({ minutes: FUTURE_TOLERANCE_MINUTES }).toMillis();

/**
 * POST /dispensers/{id}/events: a device's batch. The request stores the raw events and nothing
 * else, read → decide → write: (1) one consistent BatchGetItem of the dispenser item (credential
 * hash, attribution periods, plan copy) and the batch's event keys; (2) `decideIngest`, pure:
 * who is calling, which events are new, repeated or rejected, each new one with the citizen it is
 * attributed to and the planned dose it belongs to; (3) one write of the new raw events. That is
 * what the 202 promises.
 *
 * Everything derived — dose records, seen hours, the contact time, missed-dose and fault alerts,
 * the audit record of the device data — is made from the stored events by the stream handler
 * (derive.ts), from the INSERT of each event: so a device that retries after any failure, and
 * sees duplicates, ends in the same state as one clean post.
 */

export interface DeviceCall {
  readonly dispenserId: string;
  readonly credential: string | undefined;
  readonly requestId: string;
}

type Rejection = IngestResult['rejected'][number];

const fieldsOf = (
  index: number,
  issues: readonly { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[],
): FieldError[] =>
  issues.map((issue) => ({
    field: ['events', String(index), ...issue.path.map(String)].join('/'),
    message:
      issue.code === 'unrecognized_keys' && issue.keys ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));

const rejection = (index: number, eventId: string | undefined, field: string, message: string): Rejection => ({
  index,
  ...(eventId ? { eventId } : {}),
  errors: [{ field: `events/${index}/${field}`, message }],
});

export interface Candidate {
  index: number;
  event: DeviceEvent;
  occurredAt: Date;
}

/** Schema, clock and retention checks of one event: no I/O. */
export function checkEvents(
  raw: readonly unknown[],
  now: Date,
  retentionDays: number,
): { candidates: Candidate[]; rejected: Rejection[] } {
  const candidates: Candidate[] = [];
  const rejected: Rejection[] = [];
  // Fixed lengths (a day is 24 hours here, as the raw events' TTL counts it): no calendar is needed,
  // and this runs for every event a device posts.
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  const earliest = now.getTime() - Duration.fromObject({ days: retentionDays }).toMillis();
  raw.forEach((value, index) => {
    const parsed = deviceEventSchema.safeParse(value);
    if (!parsed.success) {
      const id = (value as { eventId?: unknown } | null)?.eventId;
      const eventId = typeof id === 'string' ? id.slice(0, 128) : undefined;
      rejected.push({ index, ...(eventId ? { eventId } : {}), errors: fieldsOf(index, parsed.error.issues as never) });
      return;
    }
    const occurredAt = new Date(parsed.data.occurredAt);
    const { eventId } = parsed.data;
    if (occurredAt.getTime() > latest)
      rejected.push(
        rejection(
          index,
          eventId,
          'occurredAt',
          `is more than ${FUTURE_TOLERANCE_MINUTES} minutes ahead of the server clock`,
        ),
      );
    else if (occurredAt.getTime() < earliest)
      rejected.push(
        rejection(index, eventId, 'occurredAt', `is older than the ${retentionDays}-day retention of device events`),
      );
    else candidates.push({ index, event: parsed.data, occurredAt });
  });
  return { candidates, rejected };
}

/** Repeats inside one batch: the first one counts (BatchWriteItem refuses two puts of one key anyway). */
export function firstOfEachId(candidates: readonly Candidate[]): { unique: Candidate[]; repeats: number } {
  const first = new Map<string, Candidate>();
  for (const c of candidates) if (!first.has(c.event.eventId)) first.set(c.event.eventId, c);
  return { unique: [...first.values()], repeats: candidates.length - first.size };
}

const sameContent = (stored: StoredEventContent | undefined, c: Candidate) =>
  !stored || (stored.type === c.event.type && stored.occurredAt === c.occurredAt.toISOString());

const DIFFERENT_EVENT = 'was already used for a different event';

export interface IngestDecision {
  /** The raw event items to store. */
  readonly fresh: RawEventItem[];
  /** Events stored earlier with the same content. */
  readonly known: number;
  readonly rejected: Rejection[];
}

/**
 * The rules of a post, pure: the credential against the dispenser item (401 when wrong or
 * revoked), then each event: attributed to the citizen the dispenser was with at its time
 * (else rejected), a repeat of a stored id (a duplicate when it says the same, else rejected),
 * or new, placed on its planned dose.
 */
export function decideIngest(input: {
  call: DeviceCall;
  device: DispenserItem | undefined;
  stored: ReadonlyMap<string, StoredEventContent>;
  unique: readonly Candidate[];
  now: Date;
  zone: string;
  retentionDays: number;
  /** The dispenser item came from this process's cache (dispenser-cache.ts), not a read of this post. */
  fromCache?: boolean;
}): IngestDecision {
  const { call, device } = input;
  if (!device || !credentialMatches(call.credential ?? '', device.credentialHash))
    throw new UnauthenticatedError('The device credential is not valid.');
  const place = eventPlacer(device, input.zone);
  const fresh: RawEventItem[] = [];
  const rejected: Rejection[] = [];
  let known = 0;
  for (const c of input.unique) {
    const placed = place({ ...c.event, occurredAt: c.occurredAt });
    const before = input.stored.get(c.event.eventId);
    if (!placed)
      rejected.push(
        rejection(c.index, c.event.eventId, 'occurredAt', 'the dispenser was not assigned to a citizen at this time'),
      );
    else if (!sameContent(before, c)) rejected.push(rejection(c.index, c.event.eventId, 'eventId', DIFFERENT_EVENT));
    else if (before) known++;
    else fresh.push(rawEventItem({ ...input, device, candidate: c, ...placed }));
  }
  return { fresh, known, rejected };
}

/** The stored shape of one new event. */
export function rawEventItem(input: {
  call: DeviceCall;
  device: Pick<DispenserItem, 'team' | 'credentialIssuedAt'>;
  candidate: Candidate;
  citizenId: string;
  doseAt: string | undefined;
  now: Date;
  retentionDays: number;
  fromCache?: boolean;
}): RawEventItem {
  const { event, occurredAt } = input.candidate;
  const utc = occurredAt.toISOString();
  const { pk, sk } = dispenserKeys.rawEvent(input.call.dispenserId, event.eventId);
  // The optional fields are assigned, not spread in: this runs for every event of every post, and
  // conditional spreads made it ~9 µs an event (~1 µs now).
  const item: { -readonly [K in keyof RawEventItem]: RawEventItem[K] } = {
    pk,
    sk,
    entity: DEVICE_EVENT_ENTITY,
    dispenserId: input.call.dispenserId,
    team: input.device.team,
    citizenId: input.citizenId,
    eventId: event.eventId,
    type: event.type,
    occurredAt: utc,
    receivedAt: input.now.toISOString(),
    requestId: input.call.requestId,
    // Which credential let it in (its issue time names it), and whether that was checked on a cached item.
    credentialIssuedAt: input.device.credentialIssuedAt,
    expiresAt: expiresAfterDays(input.retentionDays, occurredAt),
  };
  // The device's own spelling (its offset), only when it differs from the UTC form.
  if (event.occurredAt !== utc) item.deviceTime = event.occurredAt;
  if (event.scheduledFor) item.scheduledFor = event.scheduledFor;
  if (input.doseAt) item.doseAt = input.doseAt;
  if (event.details) item.details = event.details;
  if (input.fromCache) item.decidedFromCache = true;
  return item;
}

/** The 202: counts, per-event results by index, rejections in index order. */
export function ingestResult(total: number, accepted: readonly number[], rejected: Rejection[]): IngestResult {
  const rejectedAt = new Set(rejected.map((r) => r.index));
  const acceptedAt = new Set(accepted);
  const results = Array.from({ length: total }, (_, index) =>
    rejectedAt.has(index)
      ? ('rejected' as const)
      : acceptedAt.has(index)
        ? ('accepted' as const)
        : ('duplicate' as const),
  );
  return {
    accepted: accepted.length,
    duplicates: total - accepted.length - rejected.length,
    rejected: [...rejected].sort((a, b) => a.index - b.index),
    results,
  };
}

/** 401 for a missing, malformed, wrong or revoked credential; 403 for another dispenser's valid one. */
async function refuseForeignCredential(deps: Deps, credential: string, claimed: string): Promise<never> {
  const other = await readDispenser(deps.table, claimed);
  if (other && credentialMatches(credential, other.credentialHash))
    throw new ForbiddenError('This credential belongs to another dispenser.');
  throw new UnauthenticatedError('The device credential is not valid.');
}

export async function ingestDeviceEvents(
  deps: Deps,
  call: DeviceCall,
  body: { events: readonly unknown[] },
): Promise<IngestResult> {
  const claimed = call.credential ? claimedDispenser(call.credential) : undefined;
  if (!call.credential || !claimed) throw new UnauthenticatedError('A valid device credential is required.');
  if (claimed !== call.dispenserId) return refuseForeignCredential(deps, call.credential, claimed);
  if (body.events.length > MAX_EVENTS_PER_BATCH)
    throw new PayloadTooLargeError(
      `A batch carries at most ${MAX_EVENTS_PER_BATCH} events; this one has ${body.events.length}. Send the rest in another batch.`,
    );
  const now = deps.clock.now();
  const retentionDays = deps.config.RAW_EVENT_RETENTION_DAYS;
  const checked = checkEvents(body.events, now, retentionDays);
  const { unique } = firstOfEachId(checked.candidates);
  const context = { call, unique, now, zone: deps.config.TIME_ZONE, retentionDays };
  // Read (or, for one event, reuse a recent read), then decide.
  const decision = decideOnCachedDispenser(deps, context) ?? (await decideOnRead(deps, context));
  // Write; a single event that another post stored meanwhile is a duplicate, or rejected when it differs.
  const lost = await putRawEvents(deps.table, decision.fresh);
  const rejected = [...checked.rejected, ...decision.rejected];
  const accepted: number[] = [];
  for (const item of decision.fresh) {
    const c = unique.find((u) => u.event.eventId === item.eventId) as Candidate;
    if (!lost.has(item.eventId)) accepted.push(c.index);
    else if (!sameContent(lost.get(item.eventId), c))
      rejected.push(rejection(c.index, item.eventId, 'eventId', DIFFERENT_EVENT));
  }
  return ingestResult(body.events.length, accepted, rejected);
}

interface PostContext {
  readonly call: DeviceCall;
  readonly unique: readonly Candidate[];
  readonly now: Date;
  readonly zone: string;
  readonly retentionDays: number;
}

/**
 * A single new event whose dispenser this process read moments ago: decided on that item, with no
 * read. The conditional put still makes the first write win and tells a repeat. Used only when it
 * accepts; anything else (a credential that does not match, an event it cannot place) is decided
 * on a fresh read instead.
 */
function decideOnCachedDispenser(deps: Deps, context: PostContext): IngestDecision | undefined {
  if (context.unique.length !== 1) return undefined;
  const device = cachedDispenser(deps.table, context.call.dispenserId, context.now, deps.config.DEVICE_CACHE_SECONDS);
  if (!device || !credentialMatches(context.call.credential ?? '', device.credentialHash)) return undefined;
  const decision = decideIngest({ ...context, device, stored: new Map(), fromCache: true });
  return decision.rejected.length === 0 ? decision : undefined;
}

/** One consistent read of the dispenser and of the batch's event ids; a dispenser that let the post in is remembered. */
async function decideOnRead(deps: Deps, context: PostContext): Promise<IngestDecision> {
  const ids = context.unique.map((c) => c.event.eventId);
  const { device, stored } = await readIngestState(deps.table, context.call.dispenserId, ids, context.now);
  const decision = decideIngest({ ...context, device, stored });
  if (device) rememberDispenser(deps.table, device, context.now);
  return decision;
}
