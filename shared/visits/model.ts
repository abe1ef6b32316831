import { z } from '@hono/zod-openapi';
import type { Deps } from '#shared/platform/deps.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { expiresAfterDays, getItem, type Item, type Table, type TransactItem } from '#shared/table/store.ts';
import { slotBuckets, toZonedIso } from './time.ts';

/**
 * A screen visit. Stored times are UTC ISO; the API shows them with the municipality's offset.
 * `staffId` is absent while the visit is unassigned (only visits made from a final grant can be).
 */
export const visitStatuses = ['scheduled', 'in_progress', 'completed', 'missed', 'cancelled'] as const;
export type VisitStatus = (typeof visitStatuses)[number];
export const visitOutcomes = ['delivered', 'partly-delivered', 'not-delivered'] as const;
export const guestKinds = ['relative', 'professional'] as const;

export const visitPurposeSchema = z
  .strictObject({
    grantId: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: 'The granted benefit this visit delivers (from the final grant)' }),
    service: z.string().min(1).max(120).openapi({ example: 'medication support' }),
  })
  .openapi('VisitPurpose');
export type VisitPurpose = z.infer<typeof visitPurposeSchema>;

export const missedReasons = ['staff-no-show', 'citizen-no-show'] as const;
export type MissedReason = (typeof missedReasons)[number];

export interface Attendance {
  readonly staffJoinedAt?: string | undefined;
  readonly staffLeftAt?: string | undefined;
  readonly citizenJoinedAt?: string | undefined;
  readonly citizenLeftAt?: string | undefined;
  readonly meetingEndedAt?: string | undefined;
}

export const attendanceSchema = z
  .object({
    staffJoinedAt: z.string().optional(),
    staffLeftAt: z.string().optional(),
    citizenJoinedAt: z.string().optional(),
    citizenLeftAt: z.string().optional(),
    meetingEndedAt: z.string().optional(),
  })
  .openapi('VisitAttendance');

/** Minutes both sides were in the meeting together (first joins to the first that left), or undefined. */
export function actualMinutes(visit: Pick<VisitRecord, 'attendance' | 'completedAt'>): number | undefined {
  const a = visit.attendance;
  if (!a?.staffJoinedAt || !a.citizenJoinedAt) return undefined;
  const from = Math.max(Date.parse(a.staffJoinedAt), Date.parse(a.citizenJoinedAt));
  const ends = [a.staffLeftAt, a.citizenLeftAt, a.meetingEndedAt, visit.completedAt]
    .filter((t): t is string => t !== undefined)
    .map(Date.parse);
  if (ends.length === 0) return undefined;
  return Math.max(0, Math.round((Math.min(...ends) - from) / 60_000));
}

export const guestConsents = ['pending', 'given', 'refused'] as const;

/**
 * A guest joins only after the citizen consented on the tablet; their Chime attendee is made when
 * they join, never before. Visits stored before consent existed have guests without `consent`:
 * they were already in the call, so they count as consented.
 */
export interface Guest {
  readonly guestId: string;
  readonly kind: (typeof guestKinds)[number];
  readonly attendeeId?: string | undefined;
  readonly addedAt: string;
  readonly addedBy: string;
  readonly consent?:
    | {
        readonly status: (typeof guestConsents)[number];
        readonly at?: string | undefined;
        readonly by?: string | undefined;
      }
    | undefined;
}

export const consentOf = (guest: Guest): (typeof guestConsents)[number] => guest.consent?.status ?? 'given';

export interface VisitRecord {
  readonly visitId: string;
  readonly citizenId: string;
  readonly team: string;
  readonly staffId?: string | undefined;
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  readonly purpose: VisitPurpose;
  readonly status: VisitStatus;
  /** `booking`: POST /visits; `final-grant`: made from an approved final grant's plan. */
  readonly source: 'booking' | 'final-grant';
  readonly finalGrantId?: string | undefined;
  readonly meetingId?: string | undefined;
  /** How many meetings this visit has had: the idempotency token of the next one is derived from it. */
  readonly meetingGeneration?: number | undefined;
  readonly startedAt?: string | undefined;
  readonly citizenJoinedAt?: string | undefined;
  readonly completedAt?: string | undefined;
  readonly outcome?: { result: (typeof visitOutcomes)[number]; notes?: string | undefined } | undefined;
  readonly cancelledAt?: string | undefined;
  readonly cancelReason?: string | undefined;
  readonly missedAt?: string | undefined;
  /** Why a visit was missed: nobody started it or the staff member never joined (`staff-no-show`), or the citizen never joined (`citizen-no-show`). */
  readonly missedReason?: MissedReason | undefined;
  /** When each side really was in the meeting, from Chime's attendee events (best effort). */
  readonly attendance?: Attendance | undefined;
  readonly guests: readonly Guest[];
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export const visitSchema = z
  .object({
    visitId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    staffId: z.string().nullable().openapi({ description: 'Null while unassigned' }),
    start: z
      .string()
      .openapi({ description: 'ISO 8601 with the municipality’s offset', example: '2026-10-25T08:00:00.000+01:00' }),
    end: z.string(),
    durationMinutes: z.number().int(),
    purpose: visitPurposeSchema,
    status: z.enum(visitStatuses),
    source: z.enum(['booking', 'final-grant']),
    finalGrantId: z.string().optional(),
    startedAt: z.string().optional(),
    citizenJoinedAt: z.string().optional(),
    completedAt: z.string().optional(),
    outcome: z.object({ result: z.enum(visitOutcomes), notes: z.string().optional() }).optional(),
    cancelledAt: z.string().optional(),
    cancelReason: z.string().optional(),
    missedAt: z.string().optional(),
    missedReason: z.enum(missedReasons).optional(),
    attendance: attendanceSchema
      .optional()
      .openapi({ description: 'When each side was really in the meeting (Chime attendee events)' }),
    actualMinutes: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Minutes staff and citizen were in the meeting together' }),
    guests: z.array(
      z.object({
        guestId: z.string(),
        kind: z.enum(guestKinds),
        addedAt: z.string(),
        consent: z.enum(guestConsents),
        consentAt: z.string().optional(),
      }),
    ),
    version: z
      .number()
      .int()
      .openapi({ description: 'Goes up with every change; send it back as expectedVersion to PATCH safely' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Visit');
export type VisitView = z.infer<typeof visitSchema>;

/** What the citizen's tablet sees of its own visits: no notes, no other people's ids. */
export const citizenVisitSchema = z
  .object({
    visitId: z.string(),
    start: z.string(),
    end: z.string(),
    durationMinutes: z.number().int(),
    service: z.string(),
    status: z.enum(visitStatuses),
    joinableFrom: z.string().openapi({ description: 'From when POST /visits/{visitId}/join is accepted' }),
  })
  .openapi('CitizenVisit');

export function toView(visit: VisitRecord, zone: string): VisitView {
  const together = actualMinutes(visit);
  return {
    visitId: visit.visitId,
    citizenId: visit.citizenId,
    team: visit.team,
    staffId: visit.staffId ?? null,
    start: toZonedIso(visit.start, zone),
    end: toZonedIso(visit.end, zone),
    durationMinutes: visit.durationMinutes,
    purpose: { grantId: visit.purpose.grantId, service: visit.purpose.service },
    status: visit.status,
    source: visit.source,
    ...(visit.finalGrantId ? { finalGrantId: visit.finalGrantId } : {}),
    ...(visit.startedAt ? { startedAt: visit.startedAt } : {}),
    ...(visit.citizenJoinedAt ? { citizenJoinedAt: visit.citizenJoinedAt } : {}),
    ...(visit.completedAt ? { completedAt: visit.completedAt } : {}),
    ...(visit.outcome ? { outcome: visit.outcome } : {}),
    ...(visit.cancelledAt ? { cancelledAt: visit.cancelledAt } : {}),
    ...(visit.cancelReason ? { cancelReason: visit.cancelReason } : {}),
    ...(visit.missedAt ? { missedAt: visit.missedAt } : {}),
    ...(visit.missedReason ? { missedReason: visit.missedReason } : {}),
    ...(visit.attendance ? { attendance: visit.attendance } : {}),
    ...(together !== undefined ? { actualMinutes: together } : {}),
    guests: visit.guests.map((g) => ({
      guestId: g.guestId,
      kind: g.kind,
      addedAt: g.addedAt,
      consent: consentOf(g),
      ...(g.consent?.at ? { consentAt: g.consent.at } : {}),
    })),
    version: visit.version,
    createdAt: visit.createdAt,
    updatedAt: visit.updatedAt,
  };
}

const VISIT_FIELDS = [
  'visitId',
  'citizenId',
  'team',
  'staffId',
  'start',
  'end',
  'durationMinutes',
  'purpose',
  'status',
  'source',
  'finalGrantId',
  'meetingId',
  'meetingGeneration',
  'startedAt',
  'citizenJoinedAt',
  'completedAt',
  'outcome',
  'cancelledAt',
  'cancelReason',
  'missedAt',
  'missedReason',
  'attendance',
  'guests',
  'version',
  'createdAt',
  'createdBy',
  'updatedAt',
] as const;

export function fromItem(item: Item): VisitRecord {
  const record = Object.fromEntries(
    VISIT_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]),
  ) as unknown as VisitRecord;
  return { ...record, guests: record.guests ?? [] };
}

/** The visit item with its index keys: the assignee index (staff or the team's unassigned), citizen, team. */
export function visitItem(visit: VisitRecord): Item & { pk: string; sk: string } {
  return {
    ...visitKeys.visit(visit.visitId),
    ...(visit.staffId
      ? visitKeys.byStaff(visit.staffId, visit.start, visit.visitId)
      : visitKeys.unassigned(visit.team, visit.start, visit.visitId)),
    ...visitKeys.byCitizen(visit.citizenId, visit.start, visit.visitId),
    ...visitKeys.byTeam(visit.team, visit.start, visit.visitId),
    entity: 'Visit',
    ...Object.fromEntries(Object.entries(visit).filter(([, v]) => v !== undefined)),
  };
}

export async function loadVisit(table: Table, visitId: string): Promise<VisitRecord | undefined> {
  const item = await getItem(table, visitKeys.visit(visitId), { consistent: true });
  return item ? fromItem(item) : undefined;
}

/** Replaces the visit item on the condition that nobody changed it since `expectedVersion`. */
export function putVisitIfVersion(table: Table, visit: VisitRecord, expectedVersion: number): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: visitItem(visit),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    },
  };
}

// ── Slot locks ──────────────────────────────────────────────────────────────────────────────

export type Party = { kind: 'staff'; id: string } | { kind: 'citizen'; id: string };

function slotKey(party: Party, bucket: string) {
  return party.kind === 'staff' ? visitKeys.staffSlot(party.id, bucket) : visitKeys.citizenSlot(party.id, bucket);
}

export interface Slots {
  readonly parties: readonly Party[];
  readonly start: Date;
  readonly end: Date;
}

/** Every lock key a visit holds: one per party and 5-minute bucket. */
export function lockKeys(slots: Slots): { key: { pk: string; sk: string }; party: Party }[] {
  const buckets = slotBuckets(slots.start, slots.end);
  return slots.parties.flatMap((party) => buckets.map((bucket) => ({ key: slotKey(party, bucket), party })));
}

/**
 * Claims a lock. It fails when another visit holds it — unless that lock has expired (locks
 * expire a day after their visit ended, and DynamoDB deletes expired items lazily).
 */
export function takeLock(deps: Deps, key: { pk: string; sk: string }, visitId: string, end: Date): TransactItem {
  return {
    Put: {
      TableName: deps.table.name,
      Item: { ...key, entity: 'VisitSlot', visitId, expiresAt: expiresAfterDays(1, end) },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': Math.floor(deps.clock.now().getTime() / 1000) },
      // Says who holds it when it is taken: another visit, or a change of availability (a block).
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Releases a lock this visit holds (and only if it does). */
export function releaseLock(table: Table, key: { pk: string; sk: string }, visitId: string): TransactItem {
  return {
    Delete: {
      TableName: table.name,
      Key: key,
      ConditionExpression: 'visitId = :visitId',
      ExpressionAttributeValues: { ':visitId': visitId },
    },
  };
}

const keyString = (k: { pk: string; sk: string }) => `${k.pk}\u0000${k.sk}`;

/**
 * The lock actions that move a visit from `before` to `after`: release what it no longer needs,
 * take what it newly needs, leave the rest (a transaction may not touch one item twice).
 * Returns the party of each taken lock in order, so a failed condition can be named.
 */
export function moveLocks(
  deps: Deps,
  visitId: string,
  before: Slots | undefined,
  after: Slots | undefined,
): { items: TransactItem[]; taken: Party[] } {
  const old = before ? lockKeys(before) : [];
  const next = after ? lockKeys(after) : [];
  const oldSet = new Set(old.map((l) => keyString(l.key)));
  const nextSet = new Set(next.map((l) => keyString(l.key)));
  const releases = old
    .filter((l) => !nextSet.has(keyString(l.key)))
    .map((l) => releaseLock(deps.table, l.key, visitId));
  const takes = next.filter((l) => !oldSet.has(keyString(l.key)));
  return {
    items: [...takes.map((l) => takeLock(deps, l.key, visitId, after?.end ?? new Date())), ...releases],
    taken: takes.map((l) => l.party),
  };
}

export function slotsOf(visit: Pick<VisitRecord, 'staffId' | 'citizenId' | 'start' | 'end'>): Slots {
  return {
    parties: [
      ...(visit.staffId ? [{ kind: 'staff' as const, id: visit.staffId }] : []),
      { kind: 'citizen' as const, id: visit.citizenId },
    ],
    start: new Date(visit.start),
    end: new Date(visit.end),
  };
}
