import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { z } from '@hono/zod-openapi';
import type { Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { domainEvent, type DomainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { auditLog, type SystemContext } from '#shared/audit/audit.ts';
import { alertKeys } from '#shared/table/keys.ts';
import {
  getItem,
  putNew,
  queryPage,
  transactWrite,
  TransactionConflict,
  type Page,
  type TransactItem,
} from '#shared/table/store.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';

/**
 * Alerts are what staff on duty must see and handle: missed doses, silent or faulty dispensers,
 * missed screen visits, trials that end. One alert per cause (the dedup key), so a detection job
 * that runs every five minutes, or a device that repeats itself, raises it once. An alert nobody
 * acknowledges in ALERT_ESCALATE_AFTER_MINUTES is escalated to the lead.
 */
export const alertKinds = ['missed_dose', 'device_silent', 'device_fault', 'visit_missed', 'trial_ending'] as const;
export type AlertKind = (typeof alertKinds)[number];
export const alertStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

export const alertSchema = z.object({
  alertId: z.string(),
  kind: z.enum(alertKinds),
  status: z.enum(alertStatuses),
  team: z.string(),
  citizenId: z.string().optional(),
  dispenserId: z.string().optional(),
  visitId: z.string().optional(),
  dedupKey: z.string(),
  summary: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  occurredAt: z.string(),
  raisedAt: z.string(),
  escalated: z.boolean(),
  escalatedAt: z.string().optional(),
  acknowledgedAt: z.string().optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.string().optional(),
  acknowledgementNote: z.string().optional(),
  resolution: z.string().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export interface AlertRaise {
  kind: AlertKind;
  team: string;
  citizenId?: string | undefined;
  dispenserId?: string | undefined;
  visitId?: string | undefined;
  /** The cause: `missed_dose#<citizenId>#<doseAt>`, `device_fault#<dispenserId>#<fault>`, `visit_missed#<visitId>`… */
  dedupKey: string;
  /** Shown to staff: no names or national ids (ids only), it goes into events too. */
  summary: string;
  occurredAt: Date;
  /** Episode-like causes (a fault, a silence) may raise again once the last alert is resolved. */
  reraiseAfterResolve?: boolean;
  details?: Record<string, string | number | boolean>;
  /** Who raised it, for the audit; detection jobs are the system. */
  by?: RequestContext | SystemContext;
}

const systemContext = (deps: Deps, system = 'alert-detection'): SystemContext => ({
  system,
  requestId: newId('job'),
  now: deps.clock.now(),
});

/** The Puts that raise an alert; the first is the claim on its cause (fails when already raised). */
export function raiseAlertItems(
  deps: Deps,
  raise: AlertRaise,
): { alertId: string; alert: Alert; items: TransactItem[] } {
  const now = deps.clock.now();
  const alertId = newId('alr', now);
  const raisedAt = now.toISOString();
  const alert: Alert = {
    alertId,
    kind: raise.kind,
    status: 'open',
    team: raise.team,
    ...(raise.citizenId ? { citizenId: raise.citizenId } : {}),
    ...(raise.dispenserId ? { dispenserId: raise.dispenserId } : {}),
    ...(raise.visitId ? { visitId: raise.visitId } : {}),
    dedupKey: raise.dedupKey,
    summary: raise.summary,
    ...(raise.details ? { details: raise.details } : {}),
    occurredAt: raise.occurredAt.toISOString(),
    raisedAt,
    escalated: false,
  };
  const items: TransactItem[] = [
    putNew(deps.table, {
      ...alertKeys.cause(raise.dedupKey),
      entity: 'AlertCause',
      alertId,
      reraiseAfterResolve: raise.reraiseAfterResolve ?? false,
    }),
    putNew(deps.table, {
      ...alertKeys.alert(alertId),
      ...alertKeys.byTeamStatus(raise.team, 'open', raisedAt, alertId),
      ...alertKeys.unacknowledged(raisedAt, alertId),
      ...(raise.citizenId ? alertKeys.byCitizen(raise.citizenId, raisedAt, alertId) : {}),
      entity: 'Alert',
      ...alert,
    }),
  ];
  if (raise.citizenId) {
    items.push(
      auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(raise.by ?? systemContext(deps), {
        action: 'alert.update',
        resource: `alerts/${alertId}`,
        citizenId: raise.citizenId,
      }),
    );
  }
  items.push(outboxEvent(deps.table, domainEvent('AlertRaised', alertEventDetail(alert), now)));
  return { alertId, alert, items };
}

/**
 * Raises the alert unless its cause already has one (then nothing is written and `raised` is
 * false). AlertRaised commits with it (the outbox). `extra` joins the same transaction; if one of its conditions fails the conflict is
 * rethrown for the caller.
 */
export async function raiseAlert(
  deps: Deps,
  raise: AlertRaise,
  extra: TransactItem[] = [],
  /** Further events the raise causes (they name the alert), committed with it. */
  events: (alertId: string) => DomainEvent[] = () => [],
): Promise<{ raised: boolean; alertId?: string }> {
  const { alertId, items } = raiseAlertItems(deps, raise);
  try {
    await transactWrite(deps.table, [...items, ...extra, ...events(alertId).map((e) => outboxEvent(deps.table, e))]);
  } catch (error) {
    if (error instanceof TransactionConflict && error.reasons[0] === 'ConditionalCheckFailed') return { raised: false };
    throw error;
  }
  return { raised: true, alertId };
}

function alertEventDetail(alert: Alert) {
  return {
    alertId: alert.alertId,
    kind: alert.kind,
    team: alert.team,
    ...(alert.citizenId ? { citizenId: alert.citizenId } : {}),
    ...(alert.dispenserId ? { dispenserId: alert.dispenserId } : {}),
    ...(alert.visitId ? { visitId: alert.visitId } : {}),
    summary: alert.summary,
    raisedAt: alert.raisedAt,
  };
}

async function loadVisibleAlert(deps: Deps, actor: Actor, alertId: string): Promise<Alert> {
  const item = await getItem(deps.table, alertKeys.alert(alertId), { consistent: true });
  if (!item || item.team !== actor.team) throw new NotFoundError(`Alert ${alertId}`);
  return alertSchema.parse(item);
}

export interface AlertQuery {
  status: AlertStatus;
  escalated?: boolean | undefined;
  citizenId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The on-duty list: a team's alerts in one status, oldest first; or one citizen's, newest first. */
export async function listAlerts(deps: Deps, ctx: RequestContext, query: AlertQuery): Promise<Page<Alert>> {
  // Authorise before the query: another team's citizen is the 404 of an unknown one, never an empty page and a cursor.
  if (query.citizenId) await requireVisibleCitizen(deps, ctx.actor, query.citizenId);
  const page = query.citizenId
    ? await queryPage(deps.table, {
        index: 'gsi3',
        partition: ['gsi3pk', alertKeys.citizenPartition(query.citizenId)],
        limit: query.limit,
        cursor: query.cursor,
        newestFirst: true,
      })
    : await queryPage(deps.table, {
        index: 'gsi1',
        partition: ['gsi1pk', alertKeys.teamStatusPartition(ctx.actor.team, query.status)],
        limit: query.limit,
        cursor: query.cursor,
      });
  const items = page.items
    .map((item) => alertSchema.parse(item))
    .filter(
      (a) =>
        a.team === ctx.actor.team &&
        (!query.citizenId || a.status === query.status) &&
        (query.escalated === undefined || a.escalated === query.escalated),
    );
  const reads = items.flatMap((a) =>
    a.citizenId ? [{ action: 'alert.read' as const, resource: `alerts/${a.alertId}`, citizenId: a.citizenId }] : [],
  );
  if (reads.length > 0) await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, ...reads);
  return { items, nextCursor: page.nextCursor };
}

/** Someone on duty has seen it: it stops counting towards escalation. */
export async function acknowledgeAlert(
  deps: Deps,
  ctx: RequestContext,
  alertId: string,
  note?: string,
  extra: TransactItem[] = [],
): Promise<Alert> {
  const alert = await loadVisibleAlert(deps, ctx.actor, alertId);
  if (alert.status !== 'open')
    throw new ConflictError(
      `Alert ${alertId} is ${alert.status}; only an open alert can be acknowledged.`,
      'alert-not-open',
    );
  const at = ctx.now.toISOString();
  const updated: Alert = {
    ...alert,
    status: 'acknowledged',
    acknowledgedAt: at,
    acknowledgedBy: ctx.actor.sub,
    ...(note ? { acknowledgementNote: note } : {}),
  };
  // The escalation chain stops on this (its pending step is removed; a step that fires anyway finds the alert acknowledged).
  const acknowledged = domainEvent(
    'AlertAcknowledged',
    { ...alertEventDetail(updated), acknowledgedAt: at, acknowledgedBy: ctx.actor.sub },
    ctx.now,
  );
  await writeStatusChange(deps, ctx, alert, updated, [...extra, outboxEvent(deps.table, acknowledged)]);
  return updated;
}

/** An alert of the caller's team (404 otherwise), for views built elsewhere (the alert with its deliveries). */
export const readVisibleAlert = loadVisibleAlert;

export async function resolveAlert(deps: Deps, ctx: RequestContext, alertId: string, note: string): Promise<Alert> {
  const alert = await loadVisibleAlert(deps, ctx.actor, alertId);
  return resolveLoaded(deps, ctx, alert, note, ctx.actor.sub);
}

/**
 * Clears the open alert of a cause without a person, e.g. a late `dose_taken` clears the
 * missed-dose alert, as dispenser products do. Returns false when there was nothing open.
 */
export async function resolveAlertByDedupKey(deps: Deps, dedupKey: string, note: string, by: string): Promise<boolean> {
  const cause = await getItem(deps.table, alertKeys.cause(dedupKey), { consistent: true });
  if (!cause || typeof cause.alertId !== 'string') return false;
  const item = await getItem(deps.table, alertKeys.alert(cause.alertId), { consistent: true });
  if (!item) return false;
  const alert = alertSchema.parse(item);
  if (alert.status === 'resolved') return false;
  try {
    await resolveLoaded(deps, systemContext(deps, by), alert, note, by);
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}

async function resolveLoaded(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  alert: Alert,
  note: string,
  by: string,
): Promise<Alert> {
  if (alert.status === 'resolved')
    throw new ConflictError(`Alert ${alert.alertId} is already resolved.`, 'alert-resolved');
  const updated: Alert = {
    ...alert,
    status: 'resolved',
    resolvedAt: ctx.now.toISOString(),
    resolvedBy: by,
    resolution: note,
  };
  const cause = await getItem(deps.table, alertKeys.cause(alert.dedupKey), { consistent: true });
  // An episode (a fault, a silence) may raise again after this; a dose or a visit never does.
  const releaseCause: TransactItem[] =
    cause?.reraiseAfterResolve === true && cause.alertId === alert.alertId
      ? [
          {
            Delete: {
              TableName: deps.table.name,
              Key: alertKeys.cause(alert.dedupKey),
              ConditionExpression: 'alertId = :id',
              ExpressionAttributeValues: { ':id': alert.alertId },
            },
          },
        ]
      : [];
  const resolved = domainEvent(
    'AlertResolved',
    { ...alertEventDetail(updated), resolvedAt: updated.resolvedAt ?? '' },
    ctx.now,
  );
  await writeStatusChange(deps, ctx, alert, updated, [...releaseCause, outboxEvent(deps.table, resolved)]);
  return updated;
}

/** Moves the alert to its new status, conditional on the status we read (two resolvers: one wins, one gets 409). */
async function writeStatusChange(
  deps: Deps,
  ctx: RequestContext | SystemContext,
  before: Alert,
  after: Alert,
  extra: TransactItem[] = [],
): Promise<void> {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: deps.table.name,
        Item: {
          ...alertKeys.alert(after.alertId),
          ...alertKeys.byTeamStatus(after.team, after.status, after.raisedAt, after.alertId),
          ...(after.citizenId ? alertKeys.byCitizen(after.citizenId, after.raisedAt, after.alertId) : {}),
          entity: 'Alert',
          ...after,
        },
        ConditionExpression: '#status = :before',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':before': before.status },
      },
    },
    ...extra,
  ];
  if (after.citizenId) {
    items.push(
      auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
        action: 'alert.update',
        resource: `alerts/${after.alertId}`,
        citizenId: after.citizenId,
      }),
    );
  }
  try {
    await transactWrite(deps.table, items);
  } catch (error) {
    if (error instanceof TransactionConflict)
      throw new ConflictError(`Alert ${after.alertId} changed meanwhile; reload it.`, 'alert-changed');
    throw error;
  }
}

/**
 * The `escalate-alerts` job: every open alert raised more than ALERT_ESCALATE_AFTER_MINUTES ago
 * and still unacknowledged is flagged for the lead, once, with an `AlertEscalated` event.
 */
export async function escalateUnacknowledgedAlerts(deps: Deps): Promise<{ escalated: string[] }> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - deps.config.ALERT_ESCALATE_AFTER_MINUTES * 60_000).toISOString();
  const escalated: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage(deps.table, {
      index: 'gsi2',
      partition: ['gsi2pk', alertKeys.unacknowledgedPartition],
      sort: { attribute: 'gsi2sk', lte: `${cutoff}\uffff` },
      limit: 100,
      cursor,
    });
    for (const item of page.items) {
      const alert = alertSchema.parse(item);
      if (alert.raisedAt > cutoff) continue;
      try {
        await transactWrite(deps.table, [
          {
            Update: {
              TableName: deps.table.name,
              Key: alertKeys.alert(alert.alertId),
              // Leaving gsi2 takes it off the work list; the status condition loses to a concurrent ack.
              UpdateExpression: 'SET escalated = :true, escalatedAt = :now REMOVE gsi2pk, gsi2sk',
              ConditionExpression: '#status = :open AND escalated = :false',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':true': true, ':false': false, ':now': now.toISOString(), ':open': 'open' },
            },
          },
          outboxEvent(
            deps.table,
            domainEvent('AlertEscalated', { ...alertEventDetail(alert), escalatedAt: now.toISOString() }, now),
          ),
        ]);
      } catch (error) {
        if (error instanceof TransactionConflict) continue;
        throw error;
      }
      escalated.push(alert.alertId);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { escalated };
}
