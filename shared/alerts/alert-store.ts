import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/platform/errors.ts';
import { alertKeys } from '#shared/table/keys.ts';
import {
  getItem,
  NamedTransactionConflict,
  putNew,
  queryPage,
  transactNamed,
  updateParts,
  type NamedAction,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';
import { alertSchema, type Alert, type AlertStatus } from './alert-rules.ts';

/**
 * Alerts and their causes in the table. An alert (`ALERT#<id>`) is listed by team and status
 * (gsi1), by citizen (gsi3) and, while open and unacknowledged, on the escalation job's work list
 * (gsi2). Its cause (`ALERTCAUSE#<dedupKey>`) is the claim that makes a raise happen once.
 */

/** The name of the cause's claim in a raise's actions: it failing means the cause already has its alert. */
export const ALERT_CAUSE_ACTION = 'alertCause';

/** The alert changed between our read and our write: reload it (409 `alert-changed`). */
export class AlertChanged extends ConflictError {
  constructor(alertId: string) {
    super(`Alert ${alertId} changed meanwhile; reload it.`, 'alert-changed');
  }
}

export interface AlertCauseClaim {
  readonly alertId: string;
  readonly reraiseAfterResolve: boolean;
}

/** The stored alert: its keys follow its status; an open alert is also on the unacknowledged list. */
function alertItem(alert: Alert, unacknowledged: boolean) {
  return {
    ...alertKeys.alert(alert.alertId),
    ...alertKeys.byTeamStatus(alert.team, alert.status, alert.raisedAt, alert.alertId),
    ...(unacknowledged ? alertKeys.unacknowledged(alert.raisedAt, alert.alertId) : {}),
    ...(alert.citizenId ? alertKeys.byCitizen(alert.citizenId, alert.raisedAt, alert.alertId) : {}),
    entity: 'Alert',
    ...alert,
  };
}

/** The claim on the cause, then the new alert: both only if new. */
export function raiseActions(table: Table, alert: Alert, reraiseAfterResolve: boolean): NamedAction[] {
  return [
    {
      name: ALERT_CAUSE_ACTION,
      action: putNew(table, {
        ...alertKeys.cause(alert.dedupKey),
        entity: 'AlertCause',
        alertId: alert.alertId,
        reraiseAfterResolve,
      }),
    },
    { name: 'alert', action: putNew(table, alertItem(alert, true)) },
  ];
}

/** Writes a raise; false when its cause already had an alert (nothing is written). Other failures are the caller's. */
export async function insertAlert(table: Table, actions: readonly NamedAction[]): Promise<boolean> {
  try {
    await transactNamed(table, actions);
    return true;
  } catch (error) {
    if (error instanceof NamedTransactionConflict && error.failedOn(ALERT_CAUSE_ACTION)) return false;
    throw error;
  }
}

export async function findAlert(table: Table, alertId: string): Promise<Alert | undefined> {
  const item = await getItem(table, alertKeys.alert(alertId), { consistent: true });
  return item ? alertSchema.parse(item) : undefined;
}

export async function findCause(table: Table, dedupKey: string): Promise<AlertCauseClaim | undefined> {
  const item = await getItem(table, alertKeys.cause(dedupKey), { consistent: true });
  if (!item || typeof item.alertId !== 'string') return undefined;
  return { alertId: item.alertId, reraiseAfterResolve: item.reraiseAfterResolve === true };
}

/** A page of a team's alerts in one status, oldest first. */
export async function queryTeamAlerts(
  table: Table,
  team: string,
  status: AlertStatus,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Alert>> {
  const result = await queryPage(table, {
    index: 'gsi1',
    partition: ['gsi1pk', alertKeys.teamStatusPartition(team, status)],
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map((item) => alertSchema.parse(item)), nextCursor: result.nextCursor };
}

/** A page of one citizen's alerts, newest first. */
export async function queryCitizenAlerts(
  table: Table,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Alert>> {
  const result = await queryPage(table, {
    index: 'gsi3',
    partition: ['gsi3pk', alertKeys.citizenPartition(citizenId)],
    limit: page.limit,
    cursor: page.cursor,
    newestFirst: true,
  });
  return { items: result.items.map((item) => alertSchema.parse(item)), nextCursor: result.nextCursor };
}

/** A page of the unacknowledged alerts raised at or before `cutoffIso`, oldest first. */
export async function queryUnacknowledged(
  table: Table,
  cutoffIso: string,
  cursor: string | undefined,
): Promise<Page<Alert>> {
  const result = await queryPage(table, {
    index: 'gsi2',
    partition: ['gsi2pk', alertKeys.unacknowledgedPartition],
    sort: { attribute: 'gsi2sk', lte: `${cutoffIso}\uffff` },
    limit: 100,
    cursor,
  });
  return { items: result.items.map((item) => alertSchema.parse(item)), nextCursor: result.nextCursor };
}

/**
 * Moves the alert to its new status, conditional on the status we read (two resolvers: one
 * wins, the other gets `AlertChanged`). Leaving `open` takes it off the unacknowledged list.
 * `releaseCause` lets its cause raise again; `extra` (audit, events, a link's use) joins the
 * transaction, and any failure of the whole is `AlertChanged`.
 */
export async function writeAlertChange(
  table: Table,
  change: { before: Alert; after: Alert; releaseCause?: boolean },
  extra: readonly TransactItem[],
): Promise<void> {
  const { before, after } = change;
  const actions: NamedAction[] = [
    {
      name: 'alert',
      action: {
        Put: {
          TableName: table.name,
          Item: alertItem(after, false),
          ConditionExpression: '#status = :before',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':before': before.status },
        },
      },
    },
    ...(change.releaseCause ? [{ name: 'releaseCause', action: releaseCauseAction(table, after) }] : []),
    ...extra.map((action, i) => ({ name: `extra${i}`, action })),
  ];
  try {
    await transactNamed(table, actions);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new AlertChanged(after.alertId);
    throw error;
  }
}

function releaseCauseAction(table: Table, alert: Alert): TransactItem {
  return {
    Delete: {
      TableName: table.name,
      Key: alertKeys.cause(alert.dedupKey),
      ConditionExpression: 'alertId = :id',
      ExpressionAttributeValues: { ':id': alert.alertId },
    },
  };
}

/**
 * Flags an open, unacknowledged alert for the lead and takes it off the work list, with its
 * event; false when it was acknowledged, resolved or escalated meanwhile.
 */
export async function markEscalated(table: Table, alert: Alert, atIso: string, event: TransactItem): Promise<boolean> {
  const parts = updateParts({ set: { escalated: true, escalatedAt: atIso }, remove: ['gsi2pk', 'gsi2sk'] });
  try {
    await transactNamed(table, [
      {
        name: 'alert',
        action: {
          Update: {
            TableName: table.name,
            Key: alertKeys.alert(alert.alertId),
            ...parts,
            ConditionExpression: '#status = :open AND #escalated = :false',
            ExpressionAttributeNames: {
              ...parts.ExpressionAttributeNames,
              '#status': 'status',
              '#escalated': 'escalated',
            },
            ExpressionAttributeValues: { ...parts.ExpressionAttributeValues, ':open': 'open', ':false': false },
          },
        },
      },
      { name: 'event', action: event },
    ]);
    return true;
  } catch (error) {
    if (error instanceof NamedTransactionConflict) return false;
    throw error;
  }
}

/**
 * A repeated episode keeps the earliest occurrence: moves the alert's `occurredAt` back to
 * `occurredAtIso` if that is earlier and the alert is not resolved; false when nothing changed.
 */
export async function keepEarliestOccurrence(table: Table, alertId: string, occurredAtIso: string): Promise<boolean> {
  const parts = updateParts({ set: { occurredAt: occurredAtIso } });
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: alertKeys.alert(alertId),
        ...parts,
        ConditionExpression: '#occurred > :at AND #status <> :resolved',
        ExpressionAttributeNames: { ...parts.ExpressionAttributeNames, '#occurred': 'occurredAt', '#status': 'status' },
        ExpressionAttributeValues: {
          ...parts.ExpressionAttributeValues,
          ':at': occurredAtIso,
          ':resolved': 'resolved',
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
