import * as z from '#shared/platform/zod.ts';
import type { EventCatalog } from '#shared/domain-events/catalog.ts';
import { alertKinds } from './alerts.ts';

const alertEvent = z.object({
  alertId: z.string(),
  kind: z.enum(alertKinds),
  team: z.string(),
  citizenId: z.string().optional(),
  dispenserId: z.string().optional(),
  visitId: z.string().optional(),
  summary: z.string(),
  raisedAt: z.iso.datetime(),
  eventId: z.string().optional(),
});

const sample = {
  alertId: 'alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
  kind: 'missed_dose',
  team: 'east',
  citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
  dispenserId: 'dsp_01KAQ3Y9S0T2V4X6Z8B0D2F4H6',
  summary: 'Dose planned 08:00 not taken',
  raisedAt: '2026-11-23T09:00:00.000Z',
};

export const alertEventTypes: EventCatalog = {
  AlertRaised: { description: 'An alert was raised for staff on duty (once per cause).', schema: alertEvent, sample },
  AlertEscalated: {
    description: 'An open alert was not acknowledged in time and is flagged for the lead.',
    schema: alertEvent.extend({ escalatedAt: z.iso.datetime() }),
    sample: { ...sample, escalatedAt: '2026-11-23T09:30:00.000Z' },
  },
  AlertAcknowledged: {
    description:
      'Someone on duty acknowledged an open alert (in the console or from a push/SMS link); its escalation stops.',
    schema: alertEvent.extend({ acknowledgedAt: z.iso.datetime(), acknowledgedBy: z.string() }),
    sample: { ...sample, acknowledgedAt: '2026-11-23T09:04:00.000Z', acknowledgedBy: 'stf-anna' },
  },
  AlertResolved: {
    description: 'An alert was resolved, by a person with a note or automatically (e.g. a late dose taken).',
    schema: alertEvent.extend({ resolvedAt: z.iso.datetime() }),
    sample: { ...sample, resolvedAt: '2026-11-23T09:12:00.000Z' },
  },
};
