import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import { visitKeys } from '#shared/table/keys.ts';
import type { Item, Key } from '#shared/table/store.ts';
import { slotBuckets, toZonedIso } from './time.ts';

/** A screen visit. Stored times are UTC ISO; the API shows them with the municipality's offset. */
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

export const attendanceSchema = z
  .object({
    staffJoinedAt: z.string().optional(),
    staffLeftAt: z.string().optional(),
    citizenJoinedAt: z.string().optional(),
    citizenLeftAt: z.string().optional(),
    meetingEndedAt: z.string().optional(),
  })
  .openapi('VisitAttendance');
/** When each side really was in the meeting, from Chime's attendee events (best effort). */
export type Attendance = Readonly<z.infer<typeof attendanceSchema>>;

/** Minutes both sides were in the meeting together (first joins to the first that left), or undefined. */
export function actualMinutes(visit: Pick<VisitRecord, 'attendance' | 'completedAt'>): number | undefined {
  const a = visit.attendance;
  if (!a?.staffJoinedAt || !a.citizenJoinedAt) return undefined;
  const from = DateTime.max(DateTime.fromISO(a.staffJoinedAt), DateTime.fromISO(a.citizenJoinedAt));
  const ends = [a.staffLeftAt, a.citizenLeftAt, a.meetingEndedAt, visit.completedAt]
    .filter((t): t is string => t !== undefined)
    .map((t) => DateTime.fromISO(t));
  const firstEnd = DateTime.min(...ends);
  if (!firstEnd) return undefined;
  return Math.max(0, Math.round(firstEnd.diff(from).as('minutes')));
}

export const guestConsents = ['pending', 'given', 'refused'] as const;

/**
 * A guest joins only after the citizen consented on the tablet; their Chime attendee is made when
 * they join, never before. Visits stored before consent existed have guests without `consent`:
 * they were already in the call, so they count as consented.
 */
const guestSchema = z.object({
  guestId: z.string(),
  kind: z.enum(guestKinds),
  attendeeId: z.string().optional(),
  addedAt: z.string(),
  addedBy: z.string(),
  consent: z.object({ status: z.enum(guestConsents), at: z.string().optional(), by: z.string().optional() }).optional(),
});
export type Guest = Readonly<z.infer<typeof guestSchema>>;

export const consentOf = (guest: Guest): (typeof guestConsents)[number] => guest.consent?.status ?? 'given';

/**
 * The visit as stored: the one declaration of its fields. The record type, the item mapping
 * (`fromItem`, and `visitItem` in visit-store.ts) and the API views below are derived from it.
 * `staffId` is absent while the visit is unassigned (only visits made from a final grant can be).
 */
export const visitRecordSchema = z.object({
  visitId: z.string(),
  citizenId: z.string(),
  team: z.string(),
  staffId: z.string().optional(),
  start: z.string(),
  end: z.string(),
  durationMinutes: z.number().int(),
  purpose: visitPurposeSchema,
  status: z.enum(visitStatuses),
  /** `booking`: POST /visits; `final-grant`: made from an approved final grant's plan. */
  source: z.enum(['booking', 'final-grant']),
  finalGrantId: z.string().optional(),
  meetingId: z.string().optional(),
  /** How many meetings this visit has had: the idempotency token of the next one is derived from it. */
  meetingGeneration: z.number().int().optional(),
  startedAt: z.string().optional(),
  citizenJoinedAt: z.string().optional(),
  completedAt: z.string().optional(),
  outcome: z.object({ result: z.enum(visitOutcomes), notes: z.string().optional() }).optional(),
  cancelledAt: z.string().optional(),
  cancelReason: z.string().optional(),
  missedAt: z.string().optional(),
  /** Why a visit was missed: nobody started it or the staff member never joined (`staff-no-show`), or the citizen never joined (`citizen-no-show`). */
  missedReason: z.enum(missedReasons).optional(),
  attendance: attendanceSchema.optional(),
  guests: z.array(guestSchema),
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});

type Stored = z.infer<typeof visitRecordSchema>;
export type VisitRecord = Readonly<Omit<Stored, 'guests' | 'purpose' | 'attendance'>> & {
  readonly purpose: VisitPurpose;
  readonly attendance?: Attendance | undefined;
  readonly guests: readonly Guest[];
};

const stored = visitRecordSchema.shape;

/** The API view of a visit: the stored fields without the meeting's internals, guests without their attendee. */
export const visitSchema = z
  .object({
    visitId: stored.visitId,
    citizenId: stored.citizenId,
    team: stored.team,
    staffId: z.string().nullable().openapi({ description: 'Null while unassigned' }),
    start: stored.start.openapi({
      description: 'ISO 8601 with the municipality’s offset',
      example: '2026-10-25T08:00:00.000+01:00',
    }),
    end: stored.end,
    durationMinutes: stored.durationMinutes,
    purpose: stored.purpose,
    status: stored.status,
    source: stored.source,
    finalGrantId: stored.finalGrantId,
    startedAt: stored.startedAt,
    citizenJoinedAt: stored.citizenJoinedAt,
    completedAt: stored.completedAt,
    outcome: stored.outcome,
    cancelledAt: stored.cancelledAt,
    cancelReason: stored.cancelReason,
    missedAt: stored.missedAt,
    missedReason: stored.missedReason,
    attendance: stored.attendance.openapi({
      description: 'When each side was really in the meeting (Chime attendee events)',
    }),
    actualMinutes: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Minutes staff and citizen were in the meeting together' }),
    guests: z.array(
      z.object({
        guestId: guestSchema.shape.guestId,
        kind: guestSchema.shape.kind,
        addedAt: guestSchema.shape.addedAt,
        consent: z.enum(guestConsents),
        consentAt: z.string().optional(),
      }),
    ),
    version: stored.version.openapi({
      description: 'Goes up with every change; send it back as expectedVersion to PATCH safely',
    }),
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  })
  .openapi('Visit');
export type VisitView = z.infer<typeof visitSchema>;

/** What the citizen's tablet sees of its own visits: no notes, no other people's ids. */
export const citizenVisitSchema = z
  .object({
    visitId: stored.visitId,
    start: stored.start,
    end: stored.end,
    durationMinutes: stored.durationMinutes,
    service: z.string(),
    status: stored.status,
    joinableFrom: z.string().openapi({ description: 'From when POST /visits/{visitId}/join is accepted' }),
  })
  .openapi('CitizenVisit');

/** Optional view fields copied as stored when present. */
const COPIED_WHEN_SET = [
  'finalGrantId',
  'startedAt',
  'citizenJoinedAt',
  'completedAt',
  'outcome',
  'cancelledAt',
  'cancelReason',
  'missedAt',
  'missedReason',
  'attendance',
] as const satisfies readonly (keyof VisitView & keyof VisitRecord)[];

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
    ...Object.fromEntries(COPIED_WHEN_SET.filter((f) => visit[f]).map((f) => [f, visit[f]])),
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

const VISIT_FIELDS = Object.keys(stored) as (keyof Stored)[];

/** The record of a visit item: its stored fields, without keys and index attributes. */
export function fromItem(item: Item): VisitRecord {
  const record = Object.fromEntries(
    VISIT_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]),
  ) as unknown as VisitRecord;
  return { ...record, guests: record.guests ?? [] };
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
export function lockKeys(slots: Slots): { key: Key; party: Party }[] {
  const buckets = slotBuckets(slots.start, slots.end);
  return slots.parties.flatMap((party) => buckets.map((bucket) => ({ key: slotKey(party, bucket), party })));
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
