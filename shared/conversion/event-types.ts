import * as z from '#shared/platform/zod.ts';
import type { EventCatalog } from '#shared/domain-events/catalog.ts';
import { FINAL_GRANT_APPROVED, FINAL_GRANT_REVISED, GRANT_ENDED } from './event-names.ts';
import { finalGrantApprovedSchema, type FinalGrantApproved } from './plan.ts';
import { grantEndedSchema, type GrantEnded } from './grant-ended.ts';
import { finalGrantRevisedSchema, type FinalGrantRevised } from './revert.ts';

/** The domain event the conversion capability publishes when a lead approves a conversion. */
const sample: FinalGrantApproved = {
  citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
  team: 'east',
  finalGrantId: 'fg_01KAQ40B2D4F6H8K0M2P4R6T8V',
  conversionId: 'cnv_01KAQ3ZQ8S0T2V4X6Z8B0D2F4H',
  approvedAt: '2026-11-23T09:15:00.000Z',
  approvedBy: 'lead-east',
  supersedes: 'fg_01KAQ1M8C0E2G4J6K8M0P2R4S6',
  screenVisitPlan: [
    {
      grantId: 'grt_01KAQ3Z0F2H4K6M8P0R2T4V6X8',
      paragraph: 'SEL-85',
      service: 'support_conversation',
      minutes: 30,
      weekdays: [2, 4],
      times: ['10:00'],
      perWeek: 2,
      validFrom: '2026-11-23',
      validTo: '2027-06-30',
    },
    {
      grantId: 'grt_01KAQ3Z1G3J5K7N9Q1S3U5W7Y9',
      paragraph: 'SEL-83',
      service: 'safety_check',
      minutes: 10,
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      times: ['20:00'],
      validFrom: '2026-11-23',
    },
  ],
  dosePlan: { grantId: 'grt_01KAQ3Z2H4K6M8P0R2T4V6X8Z0', times: ['08:00', '14:00', '20:00'], validFrom: '2026-11-23' },
};

const approvedEventType: EventCatalog = {
  [FINAL_GRANT_APPROVED]: {
    description:
      'A lead approved a conversion: it is now the citizen’s final grant. Carries the recurring screen-visit plan (one entry per benefit delivered by screen visit) and the dose plan (null when no benefit is delivered by medication technology). `supersedes` names the final grant it replaces, whose future screen visits end.',
    schema: finalGrantApprovedSchema.extend({ eventId: z.string().optional() }),
    sample,
  },
};

const grantEndedSample: GrantEnded = {
  citizenId: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
  team: 'east',
  grantId: 'grt_01KAQ3Z0F2H4K6M8P0R2T4V6X8',
  endDate: '2027-03-31',
  endedAt: '2027-03-20T10:12:00.000Z',
  endedBy: 'asr-east',
  finalGrantId: 'fg_01KAQ40B2D4F6H8K0M2P4R6T8V',
};

const endedEventType: EventCatalog = {
  [GRANT_ENDED]: {
    description:
      'An assessor ended a granted benefit (last day `endDate`, inclusive). The current final grant was revised in the same transaction. Consumers: screen visits of the benefit after the end are cancelled (reason "grant ended on <date>"); the dose plan of the benefit gets its validTo. Both are idempotent.',
    schema: grantEndedSchema.extend({ eventId: z.string().optional() }),
    sample: grantEndedSample,
  },
};

const revisedEventType: EventCatalog = {
  [FINAL_GRANT_REVISED]: {
    description:
      'A technology line of the citizen’s final grant was reverted to physical delivery (a screen-visit line, or a dispenser trial that ended in a return), with a reason code. A new final-grant version supersedes the previous one; the payload is that of FinalGrantApproved plus the reversion, and the same consumers plan visits and the dose plan from it.',
    schema: finalGrantRevisedSchema.extend({ eventId: z.string().optional() }),
    sample: {
      ...sample,
      finalGrantId: 'fg_01KAQ5C2D4F6H8K0M2P4R6T8VW',
      supersedes: sample.finalGrantId,
      dosePlan: null,
      reversion: {
        reversionId: 'rvs_01KAQ5C2D4F6H8K0M2P4R6T8VX',
        grantId: 'grt_01KAQ3Z2H4K6M8P0R2T4V6X8Z0',
        technology: 'medication_technology',
        reasonCode: 'cannot_handle_device',
      },
    } satisfies FinalGrantRevised,
  },
};

export const conversionEventTypes: EventCatalog = { ...approvedEventType, ...endedEventType, ...revisedEventType };
