import * as z from '#shared/platform/zod.ts';
import { isoDate, wallClockTime } from '#shared/conversion/plan.ts';
import { isoDateTime } from '#shared/platform/time-input.ts';
import { idPattern } from '#shared/platform/ids.ts';

/**
 * The dispenser capability's shapes: the registry, assignments, dose plans, the device batch and
 * adherence. Request bodies are strict; the device batch's envelope is strict but its events are
 * checked one by one (see ingest.ts), so one bad event never costs the good ones.
 */

// ── Registry ────────────────────────────────────────────────────────────────────────────────
export const dispenserStatuses = ['in_stock', 'trial', 'active', 'returned'] as const;
export type DispenserStatus = (typeof dispenserStatuses)[number];
export const assignedStatuses = ['trial', 'active'] as const;
export type AssignedStatus = (typeof assignedStatuses)[number];

export const registerDispenserSchema = z.strictObject({
  vendor: z.string().trim().min(1).max(60).openapi({ example: 'Evondos' }),
  model: z.string().trim().min(1).max(60).openapi({ example: 'E300' }),
  serial: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .regex(/^[A-Za-z0-9._/-]+$/, 'letters, digits and . _ / - only')
    .openapi({ example: 'EV-300-00042' }),
});
export type RegisterDispenser = z.infer<typeof registerDispenserSchema>;

export const dispenserSchema = z
  .object({
    dispenserId: z.string(),
    team: z.string(),
    vendor: z.string(),
    model: z.string(),
    serial: z.string(),
    status: z.enum(dispenserStatuses),
    /** Last day of the trial (local date), while on trial. */
    trialEndsOn: z.string().optional(),
    citizenId: z.string().optional(),
    assignedAt: z.string().optional(),
    /** When the device last posted anything (server time). */
    lastContactAt: z.string().optional(),
    registeredAt: z.string(),
    credentialIssuedAt: z.string(),
  })
  .openapi('Dispenser');
export type Dispenser = z.infer<typeof dispenserSchema>;

export const issuedCredentialSchema = z
  .object({
    dispenserId: z.string(),
    /** `<dispenserId>.<secret>`: shown once; the API keeps only its SHA-256. Send as `Authorization: Bearer <credential>`. */
    credential: z.string(),
    issuedAt: z.string(),
  })
  .openapi('DispenserCredential');

export const assignDispenserSchema = z
  .strictObject({
    citizenId: z.string().max(30, 'must be a citizen id').regex(idPattern('cit'), 'must be a citizen id'),
    /** `trial` needs `trialEndsOn`; assigning again with `active` decides a trial. */
    status: z.enum(assignedStatuses).default('active'),
    trialEndsOn: isoDate
      .optional()
      .openapi({ description: 'Last day of the trial (local date); required for status trial' }),
    from: isoDateTime().optional().openapi({
      description:
        'For a dispenser already in the home when it is registered here: since when (at most 92 days back, never before its last period ended). Default now.',
    }),
  })
  .openapi('DispenserAssignmentRequest');
export type AssignDispenser = z.infer<typeof assignDispenserSchema>;

export const dispenserPeriodSchema = z
  .object({
    periodId: z.string(),
    dispenserId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    vendor: z.string(),
    model: z.string(),
    status: z.enum(assignedStatuses),
    trialEndsOn: z.string().optional(),
    from: z.string(),
    /** Absent while the period lasts. */
    to: z.string().optional(),
    by: z.string(),
  })
  .openapi('DispenserPeriod');
export type DispenserPeriod = z.infer<typeof dispenserPeriodSchema>;

export const takeBackQuerySchema = z.strictObject({
  then: z
    .enum(['in_stock', 'returned'])
    .default('in_stock')
    .openapi({ description: 'Back in stock (default) or returned to the vendor' }),
});

export const changeStatusSchema = z.strictObject({
  status: z
    .enum(['in_stock', 'returned'])
    .openapi({ description: 'Only for a dispenser no citizen has: put back in stock or return to the vendor' }),
});

// ── Dose plan ───────────────────────────────────────────────────────────────────────────────
export const MAX_DOSES_PER_DAY = 12;

export const dosePlanInputSchema = z
  .strictObject({
    times: z
      .array(wallClockTime)
      .min(1)
      .max(MAX_DOSES_PER_DAY)
      .refine((t) => new Set(t).size === t.length, 'dose times must be unique')
      .openapi({
        example: ['08:00', '13:00', '20:00'],
        description: 'Wall-clock HH:mm in the municipality’s time zone',
      }),
    onTimeMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional()
      .openapi({ description: 'Taken within this many minutes counts as on time (default DOSE_ON_TIME_MINUTES)' }),
    validFrom: isoDate,
    validTo: isoDate.optional(),
  })
  .refine((p) => !p.validTo || p.validTo >= p.validFrom, {
    message: 'validTo must not be before validFrom',
    path: ['validTo'],
  })
  .openapi('DosePlanRequest');
export type DosePlanInput = z.infer<typeof dosePlanInputSchema>;

export const dosePlanSchema = z
  .object({
    citizenId: z.string(),
    times: z.array(z.string()),
    onTimeMinutes: z.number().int(),
    validFrom: z.string(),
    validTo: z.string().optional(),
    timeZone: z.string(),
    /** The final grant it came from, when it came from one. */
    finalGrantId: z.string().optional(),
    grantId: z.string().optional(),
    /** This version rules doses from this instant on; earlier doses keep the plan they had. */
    effectiveFrom: z.string(),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('DosePlan');
export type DosePlan = z.infer<typeof dosePlanSchema>;

// ── Device events ───────────────────────────────────────────────────────────────────────────
/** The most events one POST may carry; more is a 413. Devices send what they have in chunks of this. */
export const MAX_EVENTS_PER_BATCH = 100;
/** An event stamped further ahead of the server clock than this is rejected (a device clock gone wrong). */
export const FUTURE_TOLERANCE_MINUTES = 10;

export const doseEventTypes = ['dose_dispensed', 'dose_taken', 'dose_missed', 'dose_late'] as const;
export const faultEventTypes = ['empty', 'jammed', 'low_battery', 'tampered'] as const;
export const deviceEventTypes = [...doseEventTypes, 'heartbeat', ...faultEventTypes] as const;
export type DeviceEventType = (typeof deviceEventTypes)[number];
export type DoseEventType = (typeof doseEventTypes)[number];
export type FaultEventType = (typeof faultEventTypes)[number];

export const deviceEventSchema = z
  .strictObject({
    eventId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only')
      .openapi({ description: 'Generated by the device; a repeat of an id is stored once' }),
    type: z.enum(deviceEventTypes).openapi({
      description: [
        'What happened:',
        '`dose_dispensed` the dispenser released the dose for `scheduledFor`;',
        '`dose_taken` the citizen took it out (the first one after the dose counts);',
        '`dose_late` the dose is still in the tray past the device’s own reminder;',
        '`dose_missed` the device gave up on the dose;',
        '`heartbeat` the device is alive (no dose);',
        '`empty`, `jammed`, `low_battery`, `tampered` faults that raise an alert (`details` may say more, e.g. `batteryPercent`).',
      ].join(' '),
    }),
    occurredAt: isoDateTime().openapi({ description: 'The device’s timestamp, ISO 8601 with offset' }),
    scheduledFor: isoDateTime().optional().openapi({ description: 'For dose events: the dose time the device means' }),
    details: z
      .record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean()]))
      .refine((d) => Object.keys(d).length <= 20, 'at most 20 details')
      .optional(),
  })
  .refine((e) => e.scheduledFor === undefined || (doseEventTypes as readonly string[]).includes(e.type), {
    message: 'scheduledFor is only for dose events',
    path: ['scheduledFor'],
  })
  .openapi('DeviceEvent');
export type DeviceEvent = z.infer<typeof deviceEventSchema>;

/** The envelope is strict; its events are `unknown` here and validated one by one. */
export const deviceEventBatchEnvelopeSchema = z
  .strictObject({
    // Checked one by one in ingest.ts (a bad event costs only itself; more than the maximum is a 413),
    // so the document says what the events are rather than zod.
    events: z
      .array(z.unknown())
      .min(1)
      .openapi({
        description: `Up to ${MAX_EVENTS_PER_BATCH} events (more: 413, nothing stored); each is a DeviceEvent, validated on its own`,
        maxItems: MAX_EVENTS_PER_BATCH,
        items: { $ref: '#/components/schemas/DeviceEvent' },
      }),
    sentAt: isoDateTime().optional().openapi({ description: 'The device clock when it sent the batch (diagnostics)' }),
  })
  .openapi('DeviceEventBatch', {
    example: {
      sentAt: '2026-11-23T20:05:00+01:00',
      events: [
        { eventId: 'ev-300-00042-000101', type: 'heartbeat', occurredAt: '2026-11-23T07:55:00+01:00' },
        {
          eventId: 'ev-300-00042-000102',
          type: 'dose_dispensed',
          occurredAt: '2026-11-23T08:00:04+01:00',
          scheduledFor: '2026-11-23T08:00:00+01:00',
        },
        {
          eventId: 'ev-300-00042-000103',
          type: 'dose_taken',
          occurredAt: '2026-11-23T08:11:40+01:00',
          scheduledFor: '2026-11-23T08:00:00+01:00',
        },
        {
          eventId: 'ev-300-00042-000107',
          type: 'low_battery',
          occurredAt: '2026-11-23T16:20:00+01:00',
          details: { batteryPercent: 14 },
        },
      ],
    },
  });

/** The whole batch as a device should send it (for the JSON Schema in events/). */
export const deviceEventBatchSchema = z.strictObject({
  events: z.array(deviceEventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
  sentAt: isoDateTime().optional(),
});

export const ingestResultSchema = z
  .object({
    /** Events stored by this post. */
    accepted: z.number().int().openapi({
      description:
        'Events stored by this post. Adherence, alerts and last contact are derived from them moments later (from the table’s stream), whether or not this answer reaches the device.',
    }),
    /** Events already stored earlier (or repeated in this batch): harmless, not stored again. */
    duplicates: z.number().int().openapi({
      description:
        'Events this post did not store because they were already stored (by an earlier post, or earlier in this batch). Two batches carrying one new event id in flight at the same moment may both count it as accepted (a single-event post is told: a duplicate, or rejected when it differs): it is still stored once, and derived from once, and the first write of its id is the one that counts and stays stored, also when the two copies differ.',
    }),
    /** What became of each event of the batch, by its index. */
    results: z.array(z.enum(['accepted', 'duplicate', 'rejected'])).openapi({
      description:
        'One entry per event of the batch, by index: accepted, duplicate or rejected (see `rejected` for why).',
    }),
    rejected: z.array(
      z.object({
        index: z.number().int(),
        eventId: z.string().optional(),
        errors: z.array(z.object({ field: z.string(), message: z.string() })),
      }),
    ),
  })
  .openapi('DeviceEventBatchResult');
export type IngestResult = z.infer<typeof ingestResultSchema>;

// ── Adherence ───────────────────────────────────────────────────────────────────────────────
export const MAX_ADHERENCE_DAYS = 92;

export const adherenceQuerySchema = z.strictObject({
  from: isoDate.openapi({ description: 'First local date (inclusive)', example: '2026-11-01' }),
  to: isoDate.openapi({
    description: `Last local date (inclusive), at most ${MAX_ADHERENCE_DAYS} days after from`,
    example: '2026-11-30',
  }),
});

const countsSchema = z.object({
  planned: z.number().int(),
  taken_on_time: z.number().int(),
  taken_late: z.number().int(),
  missed: z.number().int(),
  no_data: z.number().int(),
  pending: z.number().int(),
  paused: z.number().int().openapi({
    description: 'Doses inside an alert pause (hospital, holiday): neither taken nor missed, not in the rates',
  }),
});

export const ratesSchema = z.object({
  decided: z.number().int().openapi({ description: 'Planned doses minus pending and paused ones: the denominator' }),
  onTime: z.number().nullable(),
  taken: z.number().nullable(),
  missed: z.number().nullable(),
  noData: z.number().nullable(),
});

export const adherenceSchema = z
  .object({
    citizenId: z.string(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    doses: z.array(
      z.object({
        scheduledFor: z.string(),
        date: z.string(),
        time: z.string(),
        outcome: z.enum(['taken_on_time', 'taken_late', 'missed', 'no_data', 'pending', 'paused']),
        takenAt: z.string().optional(),
        minutesLate: z.number().int().optional(),
      }),
    ),
    counts: countsSchema,
    rates: ratesSchema,
  })
  .openapi('Adherence');
export type Adherence = z.infer<typeof adherenceSchema>;

// ── Report ──────────────────────────────────────────────────────────────────────────────────
export const dispenserReportSchema = z
  .object({
    date: z.string(),
    team: z.string(),
    timeZone: z.string(),
    activeDispensers: z.object({
      /** Distinct dispensers with a citizen at some time on the date. */
      total: z.number().int(),
      /** …of which in the active (paid) status on the date. */
      active: z.number().int(),
      /** …of which only on trial on the date. */
      trial: z.number().int(),
      byVendorModel: z.array(
        z.object({
          vendor: z.string(),
          model: z.string(),
          total: z.number().int(),
          active: z.number().int(),
          trial: z.number().int(),
        }),
      ),
    }),
    citizensWithDispenser: z.number().int(),
    adherence: z.object({ from: z.string(), to: z.string(), counts: countsSchema, rates: ratesSchema }),
  })
  .openapi('DispenserReport');
export type DispenserReport = z.infer<typeof dispenserReportSchema>;
