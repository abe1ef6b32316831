import {
  acknowledgeAlert,
  alertSchema,
  readVisibleAlert,
  resolveAlert,
  type Alert,
  type AlertQuery,
} from '#shared/alerts/alerts.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import { hasRole, type Actor } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { alertKeys } from '#shared/table/keys.ts';
import type { Page } from '#shared/table/store.ts';
import { isTechnical, technicalKinds } from './settings.ts';
import { queryAlertsOfKinds } from './technical-alert-store.ts';

/**
 * The team's IT supporter (`support`) handles technical alerts (device faults, silent devices,
 * tablets not seen) and sees nothing clinical: a missed dose or a missed visit is care staff's.
 * A caller who is also staff or lead sees every alert.
 */
export function seesTechnicalOnly(actor: Actor): boolean {
  return hasRole(actor, 'support') && !hasRole(actor, 'staff', 'lead');
}

/** A clinical alert is, for a support-only caller, the 404 of an unknown one. */
export function requireAlertVisibleTo(actor: Actor, alert: Alert): Alert {
  if (seesTechnicalOnly(actor) && !isTechnical(alert.kind)) throw new NotFoundError(`Alert ${alert.alertId}`);
  return alert;
}

/** Acknowledge as the caller may: support its team's technical alerts, staff and lead every alert of the team. */
export async function acknowledgeVisibleAlert(
  deps: Deps,
  ctx: RequestContext,
  alertId: string,
  note?: string,
): Promise<Alert> {
  // Before any write: a clinical alert answers support as an unknown id does, never 403.
  requireAlertVisibleTo(ctx.actor, await readVisibleAlert(deps, ctx.actor, alertId));
  return acknowledgeAlert(deps, ctx, alertId, note);
}

/** Resolve as the caller may (as `acknowledgeVisibleAlert`). */
export async function resolveVisibleAlert(deps: Deps, ctx: RequestContext, alertId: string, note: string) {
  requireAlertVisibleTo(ctx.actor, await readVisibleAlert(deps, ctx.actor, alertId));
  return resolveAlert(deps, ctx, alertId, note);
}

/**
 * GET /alerts for support: the team's technical alerts in one status, oldest first. Support does
 * not see citizens, so `citizenId` answers as for an unknown citizen (404), before any Query.
 */
export async function listTechnicalAlerts(deps: Deps, ctx: RequestContext, query: AlertQuery): Promise<Page<Alert>> {
  if (query.citizenId) await requireVisibleCitizen(deps, ctx.actor, query.citizenId);
  const page = await queryAlertsOfKinds(deps.table, {
    ...(query.citizenId
      ? {
          index: 'gsi3',
          partition: ['gsi3pk', alertKeys.citizenPartition(query.citizenId)],
          status: query.status,
          newestFirst: true,
        }
      : { index: 'gsi1', partition: ['gsi1pk', alertKeys.teamStatusPartition(ctx.actor.team, query.status)] }),
    kinds: technicalKinds,
    limit: query.limit,
    cursor: query.cursor,
  });
  const items = page.items
    .map((item) => alertSchema.parse(item))
    .filter(
      (a) =>
        a.team === ctx.actor.team &&
        isTechnical(a.kind) &&
        (query.escalated === undefined || a.escalated === query.escalated),
    );
  const reads = items.flatMap((a) =>
    a.citizenId ? [{ action: 'alert.read' as const, resource: `alerts/${a.alertId}`, citizenId: a.citizenId }] : [],
  );
  if (reads.length > 0) await auditLogOf(deps).recordRead(ctx, ...reads);
  return { items, nextCursor: page.nextCursor };
}
