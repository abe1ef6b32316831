import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  TRANSACTION_CONFLICT_BACKOFF,
  UNPROCESSED_ITEMS_BACKOFF,
  waitBeforeRetry,
  withRetry,
} from '#shared/platform/retry.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { TTL_ATTRIBUTE, type IndexName } from './schema.ts';

/**
 * Thin, typed access to the one table. Every read here treats an item whose TTL has passed as
 * absent: DynamoDB deletes expired items lazily (days later) and DynamoDB Local never does.
 */
export interface Table {
  readonly db: DynamoDBDocumentClient;
  readonly name: string;
}

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown>;

export function isLive(item: Item | undefined, now: Date = new Date()): boolean {
  if (!item) return false;
  const expiresAt = item[TTL_ATTRIBUTE];
  return typeof expiresAt !== 'number' || expiresAt > Math.floor(now.getTime() / 1000);
}

/** Epoch seconds for the TTL attribute. */
export function expiresAfterDays(days: number, from: Date = new Date()): number {
  return Math.floor(from.getTime() / 1000) + days * 86_400;
}

export async function getItem<T extends Item = Item>(
  table: Table,
  key: Key,
  options: { consistent?: boolean } = {},
): Promise<T | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: key, ConsistentRead: options.consistent ?? false }),
  );
  return isLive(result.Item) ? (result.Item as T) : undefined;
}

export interface QueryOptions {
  index?: IndexName;
  /** Partition key attribute and value, e.g. `['gsi1pk', 'TEAM#east#CITIZENS']`. */
  partition: readonly [string, string];
  /** Optional sort-key condition on the sort attribute of the chosen key. */
  sort?:
    | { attribute: string; beginsWith: string }
    | { attribute: string; between: readonly [string, string] }
    | { attribute: string; gte: string }
    | { attribute: string; lte: string };
  limit?: number;
  cursor?: string | undefined;
  newestFirst?: boolean;
  consistent?: boolean;
  /** When an item counts as expired (its TTL passed); the deps' clock where time is simulated. */
  now?: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | undefined;
}

/** One page of a Query. Expired items are filtered out server-side (they still cost reads). */
export async function queryPage<T extends Item = Item>(table: Table, options: QueryOptions): Promise<Page<T>> {
  const names: Record<string, string> = { '#pk': options.partition[0], '#ttl': TTL_ATTRIBUTE };
  const values: Record<string, unknown> = {
    ':pk': options.partition[1],
    ':now': Math.floor((options.now ?? new Date()).getTime() / 1000),
  };
  let condition = '#pk = :pk';
  const sort = options.sort;
  if (sort) {
    names['#sk'] = sort.attribute;
    if ('beginsWith' in sort) {
      condition += ' AND begins_with(#sk, :sk)';
      values[':sk'] = sort.beginsWith;
    } else if ('between' in sort) {
      condition += ' AND #sk BETWEEN :skFrom AND :skTo';
      values[':skFrom'] = sort.between[0];
      values[':skTo'] = sort.between[1];
    } else if ('gte' in sort) {
      condition += ' AND #sk >= :sk';
      values[':sk'] = sort.gte;
    } else {
      condition += ' AND #sk <= :sk';
      values[':sk'] = sort.lte;
    }
  }
  const input: QueryCommandInput = {
    TableName: table.name,
    IndexName: options.index,
    KeyConditionExpression: condition,
    FilterExpression: 'attribute_not_exists(#ttl) OR #ttl > :now',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    Limit: options.limit,
    ExclusiveStartKey: decodeCursor(options.cursor),
    ScanIndexForward: !options.newestFirst,
    ConsistentRead: options.index ? undefined : options.consistent,
  };
  const result = await table.db.send(new QueryCommand(input));
  return { items: (result.Items ?? []) as T[], nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Every page of a Query: for bounded partitions only (a week of visits, a month of doses). */
export async function queryAll<T extends Item = Item>(
  table: Table,
  options: Omit<QueryOptions, 'cursor' | 'limit'>,
  maxItems = 5_000,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<T>(table, { ...options, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < maxItems);
  return items;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why each action of a cancelled transaction failed, by index (`None` for those that did not). */
export class TransactionConflict extends Error {
  constructor(
    readonly reasons: readonly string[],
    /** The item as it was, for actions that asked for it (`ReturnValuesOnConditionCheckFailure: ALL_OLD`) and failed. */
    readonly items: readonly (Record<string, unknown> | undefined)[] = [],
  ) {
    super(`Transaction cancelled: ${reasons.join(', ')}`);
    this.name = 'TransactionConflict';
  }
  /** Index of the first action whose condition failed, or -1. */
  firstFailed(): number {
    return this.reasons.findIndex((r) => r === 'ConditionalCheckFailed');
  }
}

/**
 * One action of a transaction with the name its caller decodes failures by, so a repository
 * asks `conflict.failedOn('staffSlot')` instead of counting positions in the action list.
 */
export interface NamedAction {
  readonly name: string;
  readonly action: TransactItem;
}

/** A cancelled named transaction: which named actions failed their condition, and their items as they were. */
export class NamedTransactionConflict extends TransactionConflict {
  constructor(
    readonly names: readonly string[],
    conflict: TransactionConflict,
  ) {
    super(conflict.reasons, conflict.items);
    this.name = 'NamedTransactionConflict';
  }
  /** True when the action of this name failed its condition. */
  failedOn(name: string): boolean {
    return this.names.some((n, i) => n === name && this.reasons[i] === 'ConditionalCheckFailed');
  }
  /** The names of the actions whose condition failed, in action order. */
  failedNames(): string[] {
    return this.names.filter((_, i) => this.reasons[i] === 'ConditionalCheckFailed');
  }
  /** The stored item of the first failed action of this name (when it asked for `ALL_OLD`). */
  itemOf(name: string): Record<string, unknown> | undefined {
    const index = this.names.findIndex((n, i) => n === name && this.reasons[i] === 'ConditionalCheckFailed');
    return index < 0 ? undefined : this.items[index];
  }
  /** Cancelled by a concurrent transaction on the same items, not by a condition: retrying may succeed. */
  contended(): boolean {
    return this.firstFailed() < 0;
  }
}

/** `transactWrite` with named actions; a failed condition becomes a `NamedTransactionConflict`. */
export async function transactNamed(
  table: Table,
  actions: readonly NamedAction[],
  clientRequestToken?: string,
): Promise<void> {
  try {
    await transactWrite(
      table,
      actions.map((a) => a.action),
      clientRequestToken,
    );
  } catch (error) {
    if (error instanceof TransactionConflict)
      throw new NamedTransactionConflict(
        actions.map((a) => a.name),
        error,
      );
    throw error;
  }
}

/**
 * The parts of an UpdateItem that set, remove and add attributes, with every name and value
 * bound by placeholder so a field called like a reserved word (`status`, `ttl`) never breaks it.
 */
export function updateParts(change: {
  set?: Record<string, unknown>;
  remove?: readonly string[];
  add?: Record<string, number>;
}): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  let n = 0;
  const bind = (field: string, value?: unknown) => {
    const i = n++;
    names[`#u${i}`] = field;
    if (value !== undefined) values[`:u${i}`] = value;
    return i;
  };
  const set = Object.entries(change.set ?? {}).filter(([, v]) => v !== undefined);
  if (set.length > 0) clauses.push(`SET ${set.map(([f, v]) => `#u${bind(f, v)} = :u${n - 1}`).join(', ')}`);
  if (change.remove?.length) clauses.push(`REMOVE ${change.remove.map((f) => `#u${bind(f)}`).join(', ')}`);
  const add = Object.entries(change.add ?? {});
  if (add.length > 0) clauses.push(`ADD ${add.map(([f, v]) => `#u${bind(f, v)} :u${n - 1}`).join(', ')}`);
  if (clauses.length === 0) throw new Error('An update needs at least one attribute to set, remove or add');
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/**
 * All-or-nothing write. A failed condition becomes a `TransactionConflict` that the domain
 * turns into its own ConflictError with a reason; anything else propagates.
 */
export async function transactWrite(table: Table, items: TransactItem[], clientRequestToken?: string): Promise<void> {
  if (items.length === 0) return;
  if (items.length > 100) throw new Error(`A transaction takes at most 100 actions, got ${items.length}`);
  try {
    await table.db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: clientRequestToken }));
  } catch (error) {
    if (error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException') {
      const cancellations = (error as TransactionCanceledException).CancellationReasons ?? [];
      const reasons = cancellations.map((r) => r.Code ?? 'None');
      if (reasons.some((r) => r === 'ConditionalCheckFailed' || r === 'TransactionConflict')) {
        // The document client leaves these items in DynamoDB's attribute-value form.
        throw new TransactionConflict(
          reasons,
          cancellations.map((r) => (r.Item ? unmarshall(r.Item as never) : undefined)),
        );
      }
    }
    throw error;
  }
}

/** A Put that only succeeds when the key is new. */
export function putNew(table: Table, item: Item & Key): TransactItem {
  return { Put: { TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

export function put(table: Table, item: Item & Key): TransactItem {
  return { Put: { TableName: table.name, Item: item } };
}

/**
 * Items by key, 100 per BatchGetItem (unprocessed keys retried), answered in the order of
 * `keys`; absent or expired items are undefined. One request instead of one GetItem per key.
 */
export async function getItems(
  table: Table,
  keys: readonly Key[],
  options: { consistent?: boolean; now?: Date } = {},
): Promise<(Item | undefined)[]> {
  if (keys.length === 0) return [];
  if (keys.length > 100) {
    // Chunks of 100 in parallel: a full device batch and its dispenser stay one round trip.
    const chunks: Key[][] = [];
    for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
    return (await Promise.all(chunks.map((chunk) => getItems(table, chunk, options)))).flat();
  }
  const found = new Map<string, Item>();
  let pending: Record<string, unknown>[] | undefined = keys.map((k) => ({ pk: k.pk, sk: k.sk }));
  for (let attempt = 0; pending && pending.length > 0; attempt++) {
    if (attempt > 0) await waitBeforeRetry(attempt, UNPROCESSED_ITEMS_BACKOFF);
    if (attempt >= UNPROCESSED_ITEMS_BACKOFF.attempts)
      throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
    const result: BatchGetCommandOutput = await table.db.send(
      new BatchGetCommand({
        RequestItems: { [table.name]: { Keys: pending, ConsistentRead: options.consistent ?? false } },
      }),
    );
    for (const item of (result.Responses?.[table.name] ?? []) as Item[])
      found.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
    pending = result.UnprocessedKeys?.[table.name]?.Keys as Record<string, unknown>[] | undefined;
  }
  return keys.map((k) => {
    const item = found.get(`${k.pk}\u0000${k.sk}`);
    return isLive(item, options.now) ? item : undefined;
  });
}

/** BatchWriteItem (puts, no conditions) in chunks of 25, retrying unprocessed items with backoff. */
export async function putItems(table: Table, items: readonly (Item & Key)[]): Promise<void> {
  const chunks: (Item & Key)[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await waitBeforeRetry(attempt, UNPROCESSED_ITEMS_BACKOFF);
        if (attempt >= UNPROCESSED_ITEMS_BACKOFF.attempts)
          throw new Error(`BatchWriteItem left ${pending.length} items unprocessed`);
        const result = await table.db.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
        pending = (result.UnprocessedItems?.[table.name] ?? []) as typeof pending;
      }
    }),
  );
}

/**
 * Many independent conditional writes, as few requests as possible: up to 100 per transaction,
 * a few transactions at a time. An action whose condition fails is dropped and the rest of its
 * transaction is tried again, so the answer is exactly the set of actions whose condition held
 * (what one conditional write each would have given, at a hundredth of the round trips).
 * Transactions cancelled by a concurrent writer are retried with backoff.
 */
export async function writeEachConditionally(
  table: Table,
  actions: readonly NamedAction[],
  options: { parallel?: number } = {},
): Promise<Set<string>> {
  const written = new Set<string>();
  const chunks: NamedAction[][] = [];
  for (let i = 0; i < actions.length; i += 100) chunks.push(actions.slice(i, i + 100));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++] ?? [];
      while (pending.length > 0) {
        const attempt = pending;
        const failed = await withRetry(() => failedConditionsOf(table, attempt), {
          ...TRANSACTION_CONFLICT_BACKOFF,
          retryIf: (error) => error instanceof NamedTransactionConflict && error.contended(),
        });
        if (failed.size === 0) {
          for (const a of attempt) written.add(a.name);
          break;
        }
        pending = attempt.filter((a) => !failed.has(a.name));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 4, chunks.length) }, worker));
  return written;
}

/** Names whose condition failed; empty when the transaction committed. */
async function failedConditionsOf(table: Table, actions: readonly NamedAction[]): Promise<Set<string>> {
  try {
    await transactNamed(table, actions);
    return new Set();
  } catch (error) {
    if (error instanceof NamedTransactionConflict && !error.contended()) return new Set(error.failedNames());
    throw error;
  }
}
