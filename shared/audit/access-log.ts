import * as z from '#shared/platform/zod.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { Page } from '#shared/table/store.ts';
import { auditLogOf, listAudit, type AuditAction, type AuditRecord } from './audit.ts';

/**
 * The citizen's own access log (as sundhed.dk's Min Log): who looked at or changed their data,
 * what kind of data, when and why, newest first, in Danish and English. It reads the audit
 * records already written, from the citizen's own audit partition (`AUDIT#<citizenId>`, one
 * Query), and shows nothing the records do not say.
 */
const label = (da: string, en: string) => ({ da, en });
type Label = ReturnType<typeof label>;

const DATA = {
  identity: label('Stamdata', 'Identity'),
  assessment: label('Vurdering af digital parathed', 'Digital-readiness assessment'),
  grant: label('Bevilling', 'Grant'),
  visit: label('Skærmbesøg', 'Screen visit'),
  medication: label('Medicinhåndtering', 'Medication'),
  alert: label('Alarm', 'Alert'),
  report: label('Rapport', 'Report'),
  audit: label('Adgangslog', 'Access log'),
  tablet: label('Borgerens tablet', 'The citizen’s tablet'),
} satisfies Record<string, Label>;

/** What each audited action touched and why: every action has an entry (the type says so). */
export const accessLabels: Record<AuditAction, { data: keyof typeof DATA; purpose: Label }> = {
  'citizen.create': {
    data: 'identity',
    purpose: label('Oprettelse som borger i teamet', 'Registration as a citizen of the team'),
  },
  'citizen.read': { data: 'identity', purpose: label('Opslag på borgeren', 'Looking up the citizen') },
  'citizen.search': { data: 'identity', purpose: label('Søgning efter borgere', 'Searching for citizens') },
  'citizen.rekey': {
    data: 'identity',
    purpose: label('Teknisk vedligehold af CPR-opslag', 'Technical maintenance of the national-id lookup'),
  },
  'assessment.create': {
    data: 'assessment',
    purpose: label('Vurdering af digital parathed', 'Assessing digital readiness'),
  },
  'assessment.read': { data: 'assessment', purpose: label('Læsning af vurderinger', 'Reading assessments') },
  'grant.create': { data: 'grant', purpose: label('Registrering af bevilling', 'Recording a grant') },
  'grant.read': { data: 'grant', purpose: label('Læsning af bevillinger', 'Reading grants') },
  'grant.end': { data: 'grant', purpose: label('Ophør af bevilling', 'Ending a grant') },
  'conversion.create': { data: 'grant', purpose: label('Forslag om digital levering', 'Proposing digital delivery') },
  'conversion.approve': {
    data: 'grant',
    purpose: label('Godkendelse af endelig bevilling', 'Approving the final grant'),
  },
  'conversion.read': { data: 'grant', purpose: label('Læsning af omlægninger', 'Reading conversions') },
  'final-grant.read': { data: 'grant', purpose: label('Læsning af endelig bevilling', 'Reading the final grant') },
  'final-grant.revert': {
    data: 'grant',
    purpose: label('Tilbageførsel af en linje til fysisk levering', 'Reverting a line to physical delivery'),
  },
  'figures.read': { data: 'grant', purpose: label('Teamets nøgletal', 'The team’s figures') },
  'visit.create': { data: 'visit', purpose: label('Booking af skærmbesøg', 'Booking a screen visit') },
  'visit.read': { data: 'visit', purpose: label('Planlægning af skærmbesøg', 'Planning screen visits') },
  'visit.update': { data: 'visit', purpose: label('Ændring af skærmbesøg', 'Changing a screen visit') },
  'visit.start': { data: 'visit', purpose: label('Start af skærmbesøg', 'Starting a screen visit') },
  'visit.join': { data: 'visit', purpose: label('Deltagelse i skærmbesøg', 'Joining a screen visit') },
  'visit.guest': {
    data: 'visit',
    purpose: label('Gæst inviteret til skærmbesøg', 'Inviting a guest to a screen visit'),
  },
  'visit.complete': { data: 'visit', purpose: label('Afslutning af skærmbesøg', 'Completing a screen visit') },
  'visit.missed': { data: 'visit', purpose: label('Registrering af udeblivelse', 'Recording a missed visit') },
  'dispenser.read': {
    data: 'medication',
    purpose: label('Opslag på medicindispenser', 'Looking up the medication dispenser'),
  },
  'dispenser.assign': {
    data: 'medication',
    purpose: label('Tildeling af medicindispenser', 'Assigning a medication dispenser'),
  },
  'dispenser.unassign': {
    data: 'medication',
    purpose: label('Tilbagelevering af medicindispenser', 'Taking back a medication dispenser'),
  },
  'dose-plan.update': { data: 'medication', purpose: label('Ændring af doseringsplan', 'Changing the dose plan') },
  'dose-plan.read': { data: 'medication', purpose: label('Læsning af doseringsplan', 'Reading the dose plan') },
  'device-events.ingest': {
    data: 'medication',
    purpose: label('Medicindispenseren indberettede doser', 'The dispenser reported doses'),
  },
  'adherence.read': {
    data: 'medication',
    purpose: label('Opfølgning på medicinindtag', 'Following up on medication taken'),
  },
  'alert.read': { data: 'alert', purpose: label('Vagtens alarmliste', 'The on-duty alert list') },
  'alert.update': { data: 'alert', purpose: label('Håndtering af alarm', 'Handling an alert') },
  'report.read': { data: 'report', purpose: label('Teamets rapporter', 'The team’s reports') },
  'audit.read': { data: 'audit', purpose: label('Kontrol af adgangsloggen', 'Checking the access log') },
  'access-log.read': { data: 'audit', purpose: label('Visning af adgangsloggen', 'Showing the access log') },
  'alert-settings.update': {
    data: 'alert',
    purpose: label('Ændring af alarmindstillinger', 'Changing the alert settings'),
  },
  'alert-settings.read': {
    data: 'alert',
    purpose: label('Læsning af alarmindstillinger', 'Reading the alert settings'),
  },
  'relative-contact.update': {
    data: 'identity',
    purpose: label('Pårørendes kontakt og samtykke', 'A relative’s contact and consent'),
  },
  'visit.attendance': {
    data: 'visit',
    purpose: label('Fremmøde i skærmbesøg registreret', 'Attendance in a screen visit recorded'),
  },
  'tablet.pair': { data: 'tablet', purpose: label('Kode til at forbinde en tablet', 'A code to pair a tablet') },
  'tablet.paired': { data: 'tablet', purpose: label('En tablet blev forbundet', 'A tablet was paired') },
  'tablet.read': { data: 'tablet', purpose: label('Opslag på forbundne tablets', 'Looking up the paired tablets') },
  'tablet.revoke': { data: 'tablet', purpose: label('En tablet blev frakoblet', 'A tablet was disconnected') },
  'visit.consent': {
    data: 'visit',
    purpose: label('Samtykke til gæst i skærmbesøg', 'Consent to a guest in a screen visit'),
  },
};

const labelSchema = z.object({ da: z.string(), en: z.string() });

export const accessLogEntrySchema = z
  .object({
    at: z.string(),
    who: z.object({
      kind: z.enum(['staff', 'citizen', 'device', 'system']),
      role: z.string(),
      team: z.string().optional(),
      /** The staff member's id; `device` for a dispenser; the job's name for the system. */
      id: z.string(),
      label: labelSchema,
    }),
    data: labelSchema.extend({ code: z.string() }),
    purpose: labelSchema,
    action: z.string(),
  })
  .openapi('AccessLogEntry');
export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>;

const WHO: Record<AccessLogEntry['who']['kind'], Label> = {
  staff: label('Medarbejder', 'Staff member'),
  citizen: label('Dig selv', 'You'),
  device: label('Din medicindispenser', 'Your medication dispenser'),
  system: label('Systemet (automatisk)', 'The system (automatic)'),
};

function toEntry(record: AuditRecord): AccessLogEntry {
  const labels = accessLabels[record.action as AuditAction] ?? {
    data: 'identity' as const,
    purpose: label(record.action, record.action),
  };
  const device = record.actor.sub.startsWith('dispenser:');
  const kind: AccessLogEntry['who']['kind'] = device
    ? 'device'
    : record.actor.kind === 'system'
      ? 'system'
      : record.actor.role === 'citizen'
        ? 'citizen'
        : 'staff';
  return {
    at: record.at,
    who: {
      kind,
      role: device ? 'device' : record.actor.role,
      ...(record.actor.team ? { team: record.actor.team } : {}),
      id: device ? 'device' : record.actor.sub,
      label: WHO[kind],
    },
    data: { code: labels.data, ...DATA[labels.data] },
    purpose: labels.purpose,
    action: record.action,
  };
}

async function accessLog(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AccessLogEntry>> {
  const records = await listAudit(deps.table, { citizenId, limit: page.limit, cursor: page.cursor });
  await auditLogOf(deps).recordRead(ctx, {
    action: 'access-log.read',
    resource: `citizens/${citizenId}/access-log`,
    citizenId,
  });
  return { items: records.items.map(toEntry), nextCursor: records.nextCursor };
}

/** GET /me/access-log: the citizen's own (their token's subject is their citizen id). */
export async function myAccessLog(
  deps: Deps,
  ctx: RequestContext,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AccessLogEntry>> {
  return accessLog(deps, ctx, ctx.actor.sub, page);
}

/** GET /citizens/{id}/access-log: staff show a citizen of their team their log (404 for anyone else's). */
export async function citizenAccessLog(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AccessLogEntry>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  return accessLog(deps, ctx, citizenId, page);
}
