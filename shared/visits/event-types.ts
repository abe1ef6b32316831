import * as z from '#shared/platform/zod.ts';
import type { EventCatalog } from '#shared/domain-events/catalog.ts';
import { domainEvent, type DomainEvent } from '#shared/platform/event-bus.ts';
import type { VisitRecord } from './model.ts';

/**
 * The visit domain events (published after their transaction commits). Ids, times and the
 * benefit only — no names, notes or join data. They are registered in the event catalog, from
 * which schemas/<Type>.schema.json and schemas/samples/<Type>.json are generated.
 */
const base = {
  visitId: z.string(),
  citizenId: z.string(),
  team: z.string(),
  staffId: z.string().nullable(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  grantId: z.string(),
  service: z.string(),
  eventId: z.string().optional(),
};

export const visitEventSchemas = {
  VisitBooked: z.object({
    ...base,
    source: z.enum(['booking', 'final-grant']),
    finalGrantId: z.string().optional(),
    bookedBy: z.string(),
  }),
  VisitStarted: z.object({ ...base, staffId: z.string(), startedAt: z.iso.datetime() }),
  VisitCompleted: z.object({
    ...base,
    staffId: z.string(),
    startedAt: z.iso.datetime(),
    completedAt: z.iso.datetime(),
    result: z.enum(['delivered', 'partly-delivered', 'not-delivered']),
  }),
  VisitMissed: z.object({
    ...base,
    missedAt: z.iso.datetime(),
    citizenJoined: z.boolean(),
    reason: z.enum(['staff-no-show', 'citizen-no-show']).optional(),
    alertId: z.string().optional(),
  }),
  VisitCancelled: z.object({
    ...base,
    cancelledAt: z.iso.datetime(),
    cancelledBy: z.string(),
    reason: z.string().optional(),
  }),
  VisitReminderDue: z.object({ ...base, remindAt: z.iso.datetime() }),
  VisitChanged: z.object({
    ...base,
    changedBy: z.string(),
    /** What it was before: a reschedule changes start/end, a reassignment the staff member. */
    previous: z.object({ staffId: z.string().nullable(), start: z.iso.datetime(), end: z.iso.datetime() }),
  }),
} as const;
export type VisitEventType = keyof typeof visitEventSchemas;

function baseOf(visit: VisitRecord) {
  return {
    visitId: visit.visitId,
    citizenId: visit.citizenId,
    team: visit.team,
    staffId: visit.staffId ?? null,
    start: visit.start,
    end: visit.end,
    grantId: visit.purpose.grantId,
    service: visit.purpose.service,
  };
}

/** A visit event, checked against its schema so a drifting payload fails in tests, not in consumers. */
export function visitEvent(
  type: VisitEventType,
  visit: VisitRecord,
  extra: Record<string, unknown>,
  at: Date,
): DomainEvent {
  const detail = visitEventSchemas[type].parse({ ...baseOf(visit), ...extra }) as Record<string, unknown>;
  return domainEvent(type, detail, at);
}

const sampleBase = {
  visitId: 'vis_01KAQ40000A1B2C3D4E5F6G7H8',
  citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
  team: 'east',
  staffId: 'stf-anna',
  start: '2026-11-23T07:00:00.000Z',
  end: '2026-11-23T07:20:00.000Z',
  grantId: 'grt_01KAQ3Y5B7D9F1H3K5M7P9R1T3',
  service: 'medication_handling',
};

export const visitEventTypes: EventCatalog = {
  VisitBooked: {
    description: 'A screen visit was booked (POST /visits) or planned from an approved final grant.',
    schema: visitEventSchemas.VisitBooked,
    sample: { ...sampleBase, source: 'booking', bookedBy: 'stf-anna' },
  },
  VisitStarted: {
    description: 'The assigned staff member opened the visit’s video session.',
    schema: visitEventSchemas.VisitStarted,
    sample: { ...sampleBase, startedAt: '2026-11-23T06:58:00.000Z' },
  },
  VisitCompleted: {
    description: 'The staff member recorded the outcome; the video session was closed.',
    schema: visitEventSchemas.VisitCompleted,
    sample: {
      ...sampleBase,
      startedAt: '2026-11-23T06:58:00.000Z',
      completedAt: '2026-11-23T07:18:00.000Z',
      result: 'delivered',
    },
  },
  VisitMissed: {
    description:
      'The visit was neither started nor completed by the end of its window (no-show); a visit_missed alert was raised.',
    schema: visitEventSchemas.VisitMissed,
    sample: {
      ...sampleBase,
      missedAt: '2026-11-23T07:20:00.000Z',
      citizenJoined: false,
      reason: 'citizen-no-show',
      alertId: 'alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
    },
  },
  VisitCancelled: {
    description: 'A scheduled visit was cancelled by staff, or because its final grant was superseded.',
    schema: visitEventSchemas.VisitCancelled,
    sample: {
      ...sampleBase,
      cancelledAt: '2026-11-22T12:00:00.000Z',
      cancelledBy: 'lead-lis',
      reason: 'citizen in hospital',
    },
  },
  VisitReminderDue: {
    description: 'A scheduled visit starts in VISIT_REMINDER_MINUTES: time to remind the citizen and the staff member.',
    schema: visitEventSchemas.VisitReminderDue,
    sample: { ...sampleBase, remindAt: '2026-11-23T06:45:00.000Z' },
  },
  VisitChanged: {
    description: 'A scheduled visit was rescheduled or reassigned (PATCH /visits/{id}); `previous` says what it was.',
    schema: visitEventSchemas.VisitChanged,
    sample: {
      ...sampleBase,
      changedBy: 'lead-lis',
      previous: { staffId: 'stf-bo', start: '2026-11-23T06:00:00.000Z', end: '2026-11-23T06:20:00.000Z' },
    },
  },
};
