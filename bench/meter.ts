import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemSize } from './item-size.ts';

/**
 * Counts every DynamoDB request the app makes, by the call it serves. An SDK middleware on the
 * app's document client reads the current "call" from an AsyncLocalStorage that the benchmark's
 * HTTP server (and its job / consumer wrappers) set for the duration of one request, so the
 * counts are exact even though server and client share the process. While capacity metering is
 * on, every request also asks for `ReturnConsumedCapacity: TOTAL` and the written items are sized.
 */
export interface CallMeter {
  label: string;
  /** How many calls (HTTP requests, job runs, consumed events) the counts cover. */
  calls: number;
  /** DynamoDB operations by command name (`QueryCommand`, `TransactWriteCommand`…). */
  commands: Record<string, number>;
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Whether the engine reported consumed capacity for every request of the call. */
  capacityReported: boolean;
  /** Inputs of the commands, in order (only while recording), to replay them as a floor. */
  inputs: RecordedCommand[];
}

export interface RecordedCommand {
  command: string;
  input: Record<string, unknown>;
  /** performance.now() at send and at answer: commands that overlap were sent in parallel. */
  startedAt: number;
  endedAt: number;
}

export interface ItemSizeStats {
  entity: string;
  count: number;
  maxBytes: number;
  meanBytes: number;
}

const READ_COMMANDS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

export function newCallMeter(label: string): CallMeter {
  return {
    label,
    calls: 0,
    commands: {},
    requests: 0,
    readUnits: 0,
    writeUnits: 0,
    capacityReported: true,
    inputs: [],
  };
}

interface Consumed {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Normalises `GetCommand` (document client) and `GetItemCommand` (low level) to one name. */
export function dynamoOperation(commandName: string): string {
  const map: Record<string, string> = {
    GetCommand: 'GetItemCommand',
    PutCommand: 'PutItemCommand',
    UpdateCommand: 'UpdateItemCommand',
    DeleteCommand: 'DeleteItemCommand',
    BatchGetCommand: 'BatchGetItemCommand',
    BatchWriteCommand: 'BatchWriteItemCommand',
    TransactGetCommand: 'TransactGetItemsCommand',
    TransactWriteCommand: 'TransactWriteItemsCommand',
  };
  return map[commandName] ?? commandName;
}

/** Sums consumed capacity into read and write units, by what the operation is when the engine gives only a total. */
export function capacityOf(
  operation: string,
  consumed: Consumed | Consumed[] | undefined,
): { read: number; write: number } | undefined {
  if (!consumed) return undefined;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  let read = 0;
  let write = 0;
  for (const c of list) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      read += c.ReadCapacityUnits ?? 0;
      write += c.WriteCapacityUnits ?? 0;
    } else if (READ_COMMANDS.has(operation)) read += c.CapacityUnits ?? 0;
    else write += c.CapacityUnits ?? 0;
  }
  return { read, write };
}

/** Items a write command carries, in document-client (native) form. */
function writtenItems(operation: string, input: Record<string, unknown>): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (operation === 'PutItemCommand' && input.Item) items.push(input.Item as Record<string, unknown>);
  if (operation === 'TransactWriteItemsCommand') {
    for (const action of (input.TransactItems ?? []) as { Put?: { Item?: Record<string, unknown> } }[])
      if (action.Put?.Item) items.push(action.Put.Item);
  }
  if (operation === 'BatchWriteItemCommand') {
    for (const requests of Object.values(
      (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]>,
    )) {
      for (const r of requests) if (r.PutRequest?.Item) items.push(r.PutRequest.Item);
    }
  }
  return items;
}

export class DynamoMeter {
  private readonly storage = new AsyncLocalStorage<CallMeter>();
  /** Every operation of the whole run, attributed or not (Scan must stay 0). */
  readonly totals: Record<string, number> = {};
  /** Ask the engine for consumed capacity and size written items (the scripted workflow only). */
  capacity = false;
  /** Keep each attributed command's input (to replay a route's reads as its floor). */
  recordInputs = false;
  private readonly sizes = new Map<string, { count: number; max: number; total: number }>();

  attach(db: DynamoDBDocumentClient): void {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = dynamoOperation(String(context.commandName ?? 'UnknownCommand'));
        this.totals[operation] = (this.totals[operation] ?? 0) + 1;
        const call = this.storage.getStore();
        let recorded: RecordedCommand | undefined;
        const input = args.input as Record<string, unknown>;
        if (call) {
          call.requests += 1;
          call.commands[operation] = (call.commands[operation] ?? 0) + 1;
          if (this.recordInputs)
            recorded = {
              command: operation,
              input: structuredClone(input),
              startedAt: performance.now(),
              endedAt: Number.NaN,
            };
        }
        if (this.capacity) {
          input.ReturnConsumedCapacity = 'TOTAL';
          for (const item of writtenItems(operation, input)) {
            const entity =
              typeof item.entity === 'string' ? item.entity : (String(item.pk ?? '?').split('#')[0] ?? '?');
            const bytes = itemSize(item);
            const s = this.sizes.get(entity) ?? { count: 0, max: 0, total: 0 };
            s.count += 1;
            s.max = Math.max(s.max, bytes);
            s.total += bytes;
            this.sizes.set(entity, s);
          }
        }
        const result = await next(args);
        if (call && recorded) {
          recorded.endedAt = performance.now();
          call.inputs.push(recorded);
        }
        if (call && this.capacity) {
          const units = capacityOf(
            operation,
            (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity,
          );
          if (units) {
            call.readUnits += units.read;
            call.writeUnits += units.write;
          } else call.capacityReported = false;
        }
        return result;
      },
      { step: 'initialize', name: 'benchDynamoMeter' },
    );
  }

  /** Runs `work` as one call: every DynamoDB request made inside it (and its awaited continuations) counts towards `meter`. */
  within<T>(meter: CallMeter, work: () => T): T {
    return this.storage.run(meter, work);
  }

  current(): CallMeter | undefined {
    return this.storage.getStore();
  }

  scans(): number {
    return this.totals.ScanCommand ?? 0;
  }

  itemSizes(): ItemSizeStats[] {
    return [...this.sizes.entries()]
      .map(([entity, s]) => ({ entity, count: s.count, maxBytes: s.max, meanBytes: Math.round(s.total / s.count) }))
      .sort((a, b) => a.entity.localeCompare(b.entity));
  }
}
