import { z } from '@hono/zod-openapi';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { primaryRole } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import { newId } from '#shared/platform/ids.ts';
import { auditKeys, timeKey } from '#shared/table/keys.ts';
import {
  expiresAfterDays,
  putNew,
  queryPage,
  transactWrite,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import { ValidationError } from '#shared/platform/errors.ts';

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

function toItem(
  config: { retentionDays: number },
  ctx: RequestContext | SystemContext,
  entry: AuditEntry,
  givenId?: string,
) {
  const at = ctx.now.toISOString();
  const auditId = givenId ?? newId('aud', ctx.now);
  const actor =
    'actor' in ctx
      ? { sub: ctx.actor.sub, role: primaryRole(ctx.actor), kind: 'user' as const, team: ctx.actor.team }
      : { sub: ctx.system, role: 'system', kind: 'system' as const };
  const record: AuditRecord = {
    auditId,
    at,
    citizenId: entry.citizenId,
    action: entry.action,
    resource: entry.resource,
    actor,
    requestId: ctx.requestId,
  };
  return {
    ...auditKeys.record(entry.citizenId, at, auditId),
    ...auditKeys.byActor(actor.sub, at, auditId),
    entity: 'AuditRecord',
    ...record,
    expiresAt: expiresAfterDays(config.retentionDays, ctx.now),
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
  return {
    item: (ctx, entry) => putNew(table, toItem({ retentionDays }, ctx, entry)),
    recordRead: async (ctx, ...given) => {
      const entries = mergeByCitizen(given);
      const [only] = entries;
      if (entries.length === 1 && only) {
        // One record needs no transaction: a conditional Put costs half the write units.
        await table.db.send(
          new PutCommand({
            TableName: table.name,
            Item: toItem({ retentionDays }, ctx, only),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return;
      }
      // Up to 100 in one transaction: a search that shows 50 citizens audits 50 reads at once.
      for (let i = 0; i < entries.length; i += 100) {
        await transactWrite(
          table,
          entries.slice(i, i + 100).map((e) => putNew(table, toItem({ retentionDays }, ctx, e))),
        );
      }
    },
    recordOnce: async (ctx, entry, auditId) => {
      try {
        await table.db.send(
          new PutCommand({
            TableName: table.name,
            Item: toItem({ retentionDays }, ctx, entry, auditId),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
}

/**
 * One record per citizen and action in a request: a list that shows a staff member's week of 40
 * visits for 6 citizens writes 6 records, each naming every resource read (space-separated),
 * so who saw what stays exact at a fraction of the writes.
 */
function mergeByCitizen(entries: readonly AuditEntry[]): AuditEntry[] {
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
  const from = query.from ?? '0000';
  const to = query.to ?? '9999';
  const page = await queryPage<Record<string, unknown>>(table, {
    ...(query.citizenId
      ? {
          partition: ['pk', auditKeys.citizenPartition(query.citizenId)] as const,
          sort: { attribute: 'sk', between: timeKey.range(from, to) },
        }
      : {
          index: 'gsi1' as const,
          partition: ['gsi1pk', auditKeys.actorPartition(query.actor ?? '')] as const,
          sort: { attribute: 'gsi1sk', between: timeKey.range(from, to) },
        }),
    limit: query.limit,
    cursor: query.cursor,
    newestFirst: true,
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
