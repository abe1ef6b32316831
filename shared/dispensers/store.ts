import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Key, Table, TransactItem } from '#shared/table/store.ts';
import { isLive } from '#shared/table/store.ts';
import { UNPROCESSED_ITEMS_BACKOFF, waitBeforeRetry } from '#shared/platform/retry.ts';
import type { AssignedStatus, DispenserStatus } from './model.ts';
import type { DosePlanRule } from './schedule.ts';

/**
 * DynamoDB access the dispenser capability needs beyond shared/table/store.ts: its item shapes,
 * an Update builder for transactions, and batch reads/writes with retries of unprocessed items.
 */

/** A span in which the dispenser's events belong to one citizen (status changes do not split it). */
export interface AttributionPeriod {
  readonly citizenId: string;
  readonly from: string;
  readonly to?: string | undefined;
}

export interface CurrentAssignment {
  readonly citizenId: string;
  /** When the citizen got the dispenser. */
  readonly assignedAt: string;
  /** The current status period (trial or active) of the history. */
  readonly periodId: string;
  readonly periodFrom: string;
  readonly status: AssignedStatus;
  readonly by: string;
}

export interface DispenserItem {
  pk: string;
  sk: string;
  entity: 'Dispenser';
  dispenserId: string;
  team: string;
  vendor: string;
  model: string;
  serial: string;
  status: DispenserStatus;
  trialEndsOn?: string;
  registeredAt: string;
  registeredBy: string;
  credentialHash: string;
  credentialIssuedAt: string;
  assignment?: CurrentAssignment;
  /** The last few attribution periods, newest last: ingest places each event without another read. */
  periods: AttributionPeriod[];
  /** A copy of the assigned citizen's current dose plan, so ingest and the jobs need no second read. */
  dosePlan?: DosePlanRule;
  lastContactAt?: string;
  /** The dedup key of the open silent-device alert of the current silence, if one was raised. */
  silentAlertKey?: string;
  version: number;
}

/** How many attribution periods the dispenser item keeps (events older than these are rejected). */
export const KEPT_PERIODS = 10;

export interface UpdateSpec {
  set?: Record<string, unknown>;
  remove?: string[];
  add?: Record<string, unknown>;
  condition?: string;
  /** Values and names used by `condition` (names as `#name`, values as `:value`). */
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** Builds an UpdateItem input from plain attribute maps; undefined values in `set` become REMOVEs. */
export function updateInput(table: Table, key: Key, spec: UpdateSpec) {
  const names: Record<string, string> = { ...(spec.names ?? {}) };
  const values: Record<string, unknown> = { ...(spec.values ?? {}) };
  const sets: string[] = [];
  const removes: string[] = [];
  const adds: string[] = [];
  let i = 0;
  for (const [attr, value] of Object.entries(spec.set ?? {})) {
    names[`#u${i}`] = attr;
    if (value === undefined) removes.push(`#u${i}`);
    else {
      values[`:u${i}`] = value;
      sets.push(`#u${i} = :u${i}`);
    }
    i++;
  }
  for (const attr of spec.remove ?? []) {
    names[`#u${i}`] = attr;
    removes.push(`#u${i}`);
    i++;
  }
  for (const [attr, value] of Object.entries(spec.add ?? {})) {
    names[`#u${i}`] = attr;
    values[`:u${i}`] = value;
    adds.push(`#u${i} :u${i}`);
    i++;
  }
  const expression = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    TableName: table.name,
    Key: key,
    UpdateExpression: expression,
    ...(spec.condition ? { ConditionExpression: spec.condition } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

export function updateItem(table: Table, key: Key, spec: UpdateSpec): TransactItem {
  return { Update: updateInput(table, key, spec) };
}

/** BatchGetItem in chunks of 100, retrying unprocessed keys; expired items count as absent. */
export async function batchGet<T extends Record<string, unknown>>(
  table: Table,
  keys: readonly Key[],
  options: { consistent?: boolean; now?: Date } = {},
): Promise<T[]> {
  const found: T[] = [];
  const chunks: number[] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(i);
  // Chunks in parallel: a full device batch (100 events + the dispenser) stays one round trip.
  await Promise.all(
    chunks.map(async (i) => {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100).map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await waitBeforeRetry(attempt, UNPROCESSED_ITEMS_BACKOFF);
        const result = await table.db.send(
          new BatchGetCommand({
            RequestItems: { [table.name]: { Keys: pending, ConsistentRead: options.consistent ?? false } },
          }),
        );
        found.push(...((result.Responses?.[table.name] ?? []) as T[]).filter((item) => isLive(item, options.now)));
        pending = result.UnprocessedKeys?.[table.name]?.Keys as Record<string, unknown>[] | undefined;
        if (attempt + 1 >= UNPROCESSED_ITEMS_BACKOFF.attempts && pending?.length)
          throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      }
    }),
  );
  return found;
}

/** BatchWriteItem (puts) in chunks of 25, retrying unprocessed items with backoff. */
export async function batchPut(table: Table, items: readonly Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25) as Record<string, unknown>[]);
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await waitBeforeRetry(attempt, UNPROCESSED_ITEMS_BACKOFF);
        const result = await table.db.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
        pending = (result.UnprocessedItems?.[table.name] ?? []) as typeof pending;
        if (attempt + 1 >= UNPROCESSED_ITEMS_BACKOFF.attempts && pending.length)
          throw new Error(`BatchWriteItem left ${pending.length} items unprocessed`);
      }
    }),
  );
}
