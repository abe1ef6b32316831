import * as z from '#shared/platform/zod.ts';
import { ConflictError } from '#shared/platform/errors.ts';

/**
 * What an alert is and the rules of its life, without the table: raising (one alert per cause),
 * acknowledging (only an open one), resolving (not twice), releasing an episode's cause so it can
 * raise again, and when an unacknowledged alert is due for the lead. `alerts.ts` reads, asks these,
 * and writes through `alert-store.ts`.
 */
export const alertKinds = [
  'missed_dose',
  'device_silent',
  'device_fault',
  'visit_missed',
  'trial_ending',
  'tablet_not_seen',
] as const;
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

/** What a raise says about the alert; who raises it and whether its cause may raise again are the caller's. */
export interface AlertCause {
  kind: AlertKind;
  team: string;
  citizenId?: string | undefined;
  dispenserId?: string | undefined;
  visitId?: string | undefined;
  dedupKey: string;
  summary: string;
  occurredAt: Date;
  details?: Record<string, string | number | boolean>;
}

/** The open alert a raise creates. */
export function newAlert(cause: AlertCause, alertId: string, now: Date): Alert {
  return {
    alertId,
    kind: cause.kind,
    status: 'open',
    team: cause.team,
    ...(cause.citizenId ? { citizenId: cause.citizenId } : {}),
    ...(cause.dispenserId ? { dispenserId: cause.dispenserId } : {}),
    ...(cause.visitId ? { visitId: cause.visitId } : {}),
    dedupKey: cause.dedupKey,
    summary: cause.summary,
    ...(cause.details ? { details: cause.details } : {}),
    occurredAt: cause.occurredAt.toISOString(),
    raisedAt: now.toISOString(),
    escalated: false,
  };
}

/** Someone on duty has seen it; only an open alert can be acknowledged (409 `alert-not-open`). */
export function acknowledged(alert: Alert, by: string, at: Date, note?: string): Alert {
  if (alert.status !== 'open')
    throw new ConflictError(
      `Alert ${alert.alertId} is ${alert.status}; only an open alert can be acknowledged.`,
      'alert-not-open',
    );
  return {
    ...alert,
    status: 'acknowledged',
    acknowledgedAt: at.toISOString(),
    acknowledgedBy: by,
    ...(note ? { acknowledgementNote: note } : {}),
  };
}

/** Resolved with a note on what was done; an alert is resolved once (409 `alert-resolved`). */
export function resolved(alert: Alert, by: string, at: Date, note: string): Alert {
  if (alert.status === 'resolved')
    throw new ConflictError(`Alert ${alert.alertId} is already resolved.`, 'alert-resolved');
  return { ...alert, status: 'resolved', resolvedAt: at.toISOString(), resolvedBy: by, resolution: note };
}

/** An episode (a fault, a silence) may raise again once its alert is resolved; a dose or a visit never does. */
export function releasesCause(
  cause: { alertId: string; reraiseAfterResolve: boolean } | undefined,
  alert: Pick<Alert, 'alertId'>,
): boolean {
  return cause?.reraiseAfterResolve === true && cause.alertId === alert.alertId;
}

/** Still open, never escalated, and raised at or before the cutoff: flag it for the lead. */
export function dueForEscalation(alert: Alert, cutoffIso: string): boolean {
  return alert.status === 'open' && !alert.escalated && alert.raisedAt <= cutoffIso;
}

/** Whether an alert of the list's page is shown: the caller's team, the asked status and escalation. */
export function shownInList(
  alert: Alert,
  team: string,
  query: { status: AlertStatus; escalated?: boolean | undefined; citizenId?: string | undefined },
): boolean {
  return (
    alert.team === team &&
    (!query.citizenId || alert.status === query.status) &&
    (query.escalated === undefined || alert.escalated === query.escalated)
  );
}
