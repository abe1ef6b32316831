import { DateTime } from 'luxon';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ConflictError, NotFoundError } from '#shared/platform/errors.ts';
import { domainEvent, type DomainEvent } from '#shared/platform/event-bus.ts';
import { newId } from '#shared/platform/ids.ts';
import { auditLogOf, type SystemContext } from '#shared/audit/audit.ts';
import type { NamedAction, Page, TransactItem } from '#shared/table/store.ts';
import { outboxEvent } from '#shared/domain-events/outbox.ts';
import {
  acknowledged,
  dueForEscalation,
  newAlert,
  releasesCause,
  resolved,
  shownInList,
  type Alert,
  type AlertCause,
  type AlertStatus,
} from './alert-rules.ts';
import {
  findAlert,
  findCause,
  insertAlert,
  keepEarliestOccurrence,
  markEscalated,
  queryCitizenAlerts,
  queryTeamAlerts,
  queryUnacknowledged,
  raiseActions,
  writeAlertChange,
} from './alert-store.ts';

/**
 * Alerts are what staff on duty must see and handle: missed doses, silent or faulty dispensers,
 * missed screen visits, trials that end. One alert per cause (the dedup key), so a detection job
 * that runs every five minutes, or a device that repeats itself, raises it once. An alert nobody
 * acknowledges in ALERT_ESCALATE_AFTER_MINUTES is escalated to the lead. The rules are in
 * `alert-rules.ts`, the table in `alert-store.ts`; this module reads, decides and writes.
 */
export { alertKinds, alertSchema, alertStatuses } from './alert-rules.ts';
export type { Alert, AlertKind, AlertStatus } from './alert-rules.ts';
export { ALERT_CAUSE_ACTION, AlertChanged } from './alert-store.ts';

export interface AlertRaise extends AlertCause {
  /** The cause: `missed_dose#<citizenId>#<doseAt>`, `device_fault#<dispenserId>#<fault>`, `visit_missed#<visitId>`… */
  dedupKey: string;
  /** Shown to staff: no names or national ids (ids only), it goes into events too. */
  summary: string;
  /** Episode-like causes (a fault, a silence) may raise again once the last alert is resolved. */
  reraiseAfterResolve?: boolean;
  /** Who raised it, for the audit; detection jobs are the system. */
  by?: RequestContext | SystemContext;
}

const systemContext = (deps: Deps, system = 'alert-detection'): SystemContext => ({
  system,
  requestId: newId('job'),
  now: deps.clock.now(),
});

/**
 * The named actions that raise an alert: the claim on its cause first (named `ALERT_CAUSE_ACTION`;
 * it fails when the cause already has an alert), the alert, its audit record and AlertRaised.
 */
export function raiseAlertActions(
  deps: Deps,
  raise: AlertRaise,
): { alertId: string; alert: Alert; actions: NamedAction[] } {
  const now = deps.clock.now();
  const alert = newAlert(raise, newId('alr', now), now);
  const actions = raiseActions(deps.table, alert, raise.reraiseAfterResolve ?? false);
  if (alert.citizenId) {
    const audit = alertAudit(alert.alertId, alert.citizenId);
    actions.push({ name: 'audit', action: auditLogOf(deps).item(raise.by ?? systemContext(deps), audit) });
  }
  const raised = domainEvent('AlertRaised', alertEventDetail(alert), now);
  actions.push({ name: 'alertRaised', action: outboxEvent(deps.table, raised) });
  return { alertId: alert.alertId, alert, actions };
}

/** The Puts that raise an alert, in the order of `raiseAlertActions` (the claim on its cause first). */
export function raiseAlertItems(
  deps: Deps,
  raise: AlertRaise,
): { alertId: string; alert: Alert; items: TransactItem[] } {
  const { alertId, alert, actions } = raiseAlertActions(deps, raise);
  return { alertId, alert, items: actions.map((a) => a.action) };
}

/**
 * Raises the alert unless its cause already has one (then nothing is written and `raised` is
 * false). AlertRaised commits with it (the outbox). `extra` joins the same transaction; if one of
 * its conditions fails the conflict is rethrown for the caller.
 */
export async function raiseAlert(
  deps: Deps,
  raise: AlertRaise,
  extra: TransactItem[] = [],
  /** Further events the raise causes (they name the alert), committed with it. */
  events: (alertId: string) => DomainEvent[] = () => [],
): Promise<{ raised: boolean; alertId?: string }> {
  const { alertId, actions } = raiseAlertActions(deps, raise);
  const raised = await insertAlert(deps.table, [
    ...actions,
    ...extra.map((action, i) => ({ name: `extra${i}`, action })),
    ...events(alertId).map((e, i) => ({ name: `event${i}`, action: outboxEvent(deps.table, e) })),
  ]);
  return raised ? { raised: true, alertId } : { raised: false };
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

const alertAudit = (alertId: string, citizenId: string) => ({
  action: 'alert.update' as const,
  resource: `alerts/${alertId}`,
  citizenId,
});

/** An alert of the caller's team (404 otherwise), for views built elsewhere (the alert with its deliveries). */
export async function readVisibleAlert(deps: Deps, actor: Actor, alertId: string): Promise<Alert> {
  const alert = await findAlert(deps.table, alertId);
  if (!alert || alert.team !== actor.team) throw new NotFoundError(`Alert ${alertId}`);
  return alert;
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
    ? await queryCitizenAlerts(deps.table, query.citizenId, query)
    : await queryTeamAlerts(deps.table, ctx.actor.team, query.status, query);
  const items = page.items.filter((a) => shownInList(a, ctx.actor.team, query));
  const reads = items.flatMap((a) =>
    a.citizenId ? [{ action: 'alert.read' as const, resource: `alerts/${a.alertId}`, citizenId: a.citizenId }] : [],
  );
  if (reads.length > 0) await auditLogOf(deps).recordRead(ctx, ...reads);
  return { items, nextCursor: page.nextCursor };
}

/** Someone on duty has seen it: it stops counting towards escalation. `extra` joins the transaction. */
export async function acknowledgeAlert(
  deps: Deps,
  ctx: RequestContext,
  alertId: string,
  note?: string,
  extra: TransactItem[] = [],
): Promise<Alert> {
  const alert = await readVisibleAlert(deps, ctx.actor, alertId);
  const updated = acknowledged(alert, ctx.actor.sub, ctx.now, note);
  const at = ctx.now.toISOString();
  // The escalation chain stops on this (its pending step is removed; a step that fires anyway finds the alert acknowledged).
  const event = domainEvent(
    'AlertAcknowledged',
    { ...alertEventDetail(updated), acknowledgedAt: at, acknowledgedBy: ctx.actor.sub },
    ctx.now,
  );
  await writeAlertChange(deps.table, { before: alert, after: updated }, [
    ...extra,
    outboxEvent(deps.table, event),
    ...auditOfChange(deps, ctx, updated),
  ]);
  return updated;
}

export async function resolveAlert(deps: Deps, ctx: RequestContext, alertId: string, note: string): Promise<Alert> {
  const alert = await readVisibleAlert(deps, ctx.actor, alertId);
  return resolveLoaded(deps, ctx, alert, note, ctx.actor.sub);
}

/**
 * Clears the open alert of a cause without a person, e.g. a late `dose_taken` clears the
 * missed-dose alert, as dispenser products do. Returns false when there was nothing open.
 */
export async function resolveAlertByDedupKey(deps: Deps, dedupKey: string, note: string, by: string): Promise<boolean> {
  const cause = await findCause(deps.table, dedupKey);
  const alert = cause ? await findAlert(deps.table, cause.alertId) : undefined;
  if (!alert || alert.status === 'resolved') return false;
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
  const updated = resolved(alert, by, ctx.now, note);
  const releaseCause = releasesCause(await findCause(deps.table, alert.dedupKey), alert);
  const event = domainEvent(
    'AlertResolved',
    { ...alertEventDetail(updated), resolvedAt: updated.resolvedAt ?? '' },
    ctx.now,
  );
  await writeAlertChange(deps.table, { before: alert, after: updated, releaseCause }, [
    outboxEvent(deps.table, event),
    ...auditOfChange(deps, ctx, updated),
  ]);
  return updated;
}

/** A change of an alert about a citizen is audited with it. */
function auditOfChange(deps: Deps, ctx: RequestContext | SystemContext, alert: Alert): TransactItem[] {
  return alert.citizenId ? [auditLogOf(deps).item(ctx, alertAudit(alert.alertId, alert.citizenId))] : [];
}

/**
 * A fault episode that is reported again keeps its earliest occurrence: the open (or
 * acknowledged) alert of the cause moves its `occurredAt` back when this report is earlier.
 */
export async function recordEarlierOccurrence(deps: Deps, dedupKey: string, occurredAt: Date): Promise<boolean> {
  const cause = await findCause(deps.table, dedupKey);
  const alert = cause ? await findAlert(deps.table, cause.alertId) : undefined;
  if (!alert || alert.status === 'resolved') return false;
  return keepEarliestOccurrence(deps.table, alert.alertId, occurredAt.toISOString());
}

/**
 * The `escalate-alerts` job: every open alert raised more than ALERT_ESCALATE_AFTER_MINUTES ago
 * and still unacknowledged is flagged for the lead, once, with an `AlertEscalated` event.
 */
export async function escalateUnacknowledgedAlerts(deps: Deps): Promise<{ escalated: string[] }> {
  const now = deps.clock.now();
  const cutoff = DateTime.fromJSDate(now)
    .minus({ minutes: deps.config.ALERT_ESCALATE_AFTER_MINUTES })
    .toJSDate()
    .toISOString();
  const escalated: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryUnacknowledged(deps.table, cutoff, cursor);
    for (const alert of page.items) {
      if (dueForEscalation(alert, cutoff) && (await escalate(deps, alert, now))) escalated.push(alert.alertId);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { escalated };
}

/** Flags one alert; false when an acknowledgement (or another run) got there first. */
async function escalate(deps: Deps, alert: Alert, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const event = domainEvent('AlertEscalated', { ...alertEventDetail(alert), escalatedAt: at }, now);
  return markEscalated(deps.table, alert, at, outboxEvent(deps.table, event));
}
