import * as z from '#shared/platform/zod.ts';
import { primaryRole } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import type { Page, Table, TransactItem } from '#shared/table/store.ts';
import {
  auditItem,
  auditRecordAction,
  putAuditRecord,
  putAuditRecordOnce,
  putAuditRecords,
  queryAuditRecords,
} from './audit-store.ts';

/**
 * Who read or changed what about which citizen, when, in which request. Records are
 * append-only: they are only ever created with a condition that the key is new, and no code
 * path updates or deletes them (the stack's IAM policy denies it too). Kept at least two
 * years, as Danish access logs must be (Min Log).
 */
export const auditActions = [
  'citizen.create',
  'citizen.read',
  'citizen.search',
  'citizen.rekey',
  'assessment.create',
  'assessment.read',
  'grant.create',
  'grant.read',
  'grant.end',
  'conversion.create',
  'conversion.approve',
  'conversion.read',
  'final-grant.read',
  'final-grant.revert',
  'figures.read',
  'visit.create',
  'visit.read',
  'visit.update',
  'visit.start',
  'visit.join',
  'visit.guest',
  'visit.complete',
  'visit.missed',
  'dispenser.read',
  'dispenser.assign',
  'dispenser.unassign',
  'dose-plan.update',
  'dose-plan.read',
  'device-events.ingest',
  'adherence.read',
  'alert.read',
  'alert.update',
  'report.read',
  'audit.read',
  'access-log.read',
  'alert-settings.update',
  'alert-settings.read',
  'relative-contact.update',
  'visit.attendance',
  'tablet.pair',
  'tablet.paired',
  'tablet.read',
  'tablet.revoke',
  'visit.consent',
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditEntry {
  readonly action: AuditAction;
  /** The resource path acted on, e.g. `citizens/cit_…/assessments/asm_…`; a read of several: the paths, space-separated. */
  readonly resource: string;
  readonly citizenId: string;
}

export const auditRecordSchema = z.object({
  auditId: z.string(),
  at: z.string(),
  citizenId: z.string(),
  action: z.string(),
  resource: z.string(),
  actor: z.object({
    sub: z.string(),
    role: z.string(),
    kind: z.enum(['user', 'device', 'system']),
    team: z.string().optional(),
  }),
  requestId: z.string(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** The system itself (a job) acting on citizen data: audited too, as `system`. */
export interface SystemContext {
  readonly system: string;
  readonly requestId: string;
  readonly now: Date;
}

/** The record of one audited act: who (a user from the request, or the system's job), what, when. */
export function auditRecordOf(ctx: RequestContext | SystemContext, entry: AuditEntry, givenId?: string): AuditRecord {
  const actor =
    'actor' in ctx
      ? { sub: ctx.actor.sub, role: primaryRole(ctx.actor), kind: 'user' as const, team: ctx.actor.team }
      : { sub: ctx.system, role: 'system', kind: 'system' as const };
  return {
    auditId: givenId ?? newId('aud', ctx.now),
    at: ctx.now.toISOString(),
    citizenId: entry.citizenId,
    action: entry.action,
    resource: entry.resource,
    actor,
    requestId: ctx.requestId,
  };
}

export interface AuditLog {
  /** The audit Put to add to the transaction that makes the change. */
  item(ctx: RequestContext | SystemContext, entry: AuditEntry): TransactItem;
  /** Records a read (a write of its own: a read changes nothing else to be atomic with). */
  recordRead(ctx: RequestContext | SystemContext, ...entries: AuditEntry[]): Promise<void>;
  /**
   * A record with a deterministic id and time (both from what is being audited), written once:
   * work derived from the stream may run twice, and its second run must not add a record.
   */
  recordOnce(ctx: RequestContext | SystemContext, entry: AuditEntry, auditId: string): Promise<void>;
}

export function auditLog(table: Table, retentionDays: number): AuditLog {
  const itemOf = (ctx: RequestContext | SystemContext, entry: AuditEntry, givenId?: string) =>
    auditItem(auditRecordOf(ctx, entry, givenId), { retentionDays, from: ctx.now });
  return {
    item: (ctx, entry) => auditRecordAction(table, itemOf(ctx, entry)),
    recordRead: async (ctx, ...given) => {
      const entries = mergeByCitizen(given);
      const [only] = entries;
      if (entries.length === 1 && only) await putAuditRecord(table, itemOf(ctx, only));
      else
        await putAuditRecords(
          table,
          entries.map((e) => itemOf(ctx, e)),
        );
    },
    recordOnce: async (ctx, entry, auditId) => {
      await putAuditRecordOnce(table, itemOf(ctx, entry, auditId));
    },
  };
}

const logs = new WeakMap<Deps, AuditLog>();

/** The audit log of these deps (their table and retention), built once per `Deps`. */
export function auditLogOf(deps: Deps): AuditLog {
  let log = logs.get(deps);
  if (!log) {
    log = auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS);
    logs.set(deps, log);
  }
  return log;
}

/**
 * One record per citizen and action in a request: a list that shows a staff member's week of 40
 * visits for 6 citizens writes 6 records, each naming every resource read (space-separated),
 * so who saw what stays exact at a fraction of the writes.
 */
export function mergeByCitizen(entries: readonly AuditEntry[]): AuditEntry[] {
  const merged = new Map<string, AuditEntry>();
  for (const entry of entries) {
    const key = `${entry.citizenId}\u0000${entry.action}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, entry);
    else if (!seen.resource.split(' ').includes(entry.resource))
      merged.set(key, { ...seen, resource: `${seen.resource} ${entry.resource}` });
  }
  return [...merged.values()];
}

export interface AuditQuery {
  citizenId?: string | undefined;
  actor?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listAudit(table: Table, query: AuditQuery): Promise<Page<AuditRecord>> {
  if (!query.citizenId && !query.actor) {
    throw new ValidationError('Give citizenId or actor.', [
      { field: 'query/citizenId', message: 'citizenId or actor is required' },
    ]);
  }
  const page = await queryAuditRecords(table, {
    ...(query.citizenId ? { by: 'citizen', id: query.citizenId } : { by: 'actor', id: query.actor ?? '' }),
    from: query.from ?? '0000',
    to: query.to ?? '9999',
    limit: query.limit,
    cursor: query.cursor,
  });
  return {
    items: page.items
      .filter(
        (item) => !query.citizenId || !query.actor || (item.actor as { sub?: string } | undefined)?.sub === query.actor,
      )
      .map((item) => auditRecordSchema.parse(item)),
    nextCursor: page.nextCursor,
  };
}
