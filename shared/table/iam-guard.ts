import { appendFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { allowedLeadingKey, currentFunction, type TableFunctionName } from './table-access.ts';

/**
 * LOCAL ONLY: the stack's IAM policy on the DynamoDB client of `npm start` and the tests, so a
 * code path that AWS would refuse fails here too instead of in production:
 * - the Deny statements of every role (infra/constructs/functions.ts: `AuditIsAppendOnly`,
 *   `AuditIsAppendOnlyInBatches`, `NoScan`),
 * - each function's `dynamodb:LeadingKeys` grant (./table-access.ts), while code runs as that
 *   function (`asFunction`: the API parts, the job runner and the event consumer set it).
 */
export class DeniedByStackPolicy extends Error {
  constructor(what: string) {
    super(`The stack's IAM policy denies this on AWS: ${what}`);
    this.name = 'DeniedByStackPolicy';
  }
}

const AUDIT = /^AUDIT#/;
const pkOf = (key: unknown): string | undefined => {
  const pk = (key as { pk?: unknown } | undefined)?.pk;
  if (typeof pk === 'string') return pk;
  const s = (pk as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
};
const isAudit = (key: unknown) => AUDIT.test(pkOf(key) ?? '');

type KeyHolder = { Key?: unknown; Item?: unknown };
interface Input {
  Key?: unknown;
  Item?: unknown;
  IndexName?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  RequestItems?: Record<
    string,
    { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[] | { Keys?: unknown[] }
  >;
  TransactItems?: {
    Put?: KeyHolder;
    Update?: KeyHolder;
    Delete?: KeyHolder;
    ConditionCheck?: KeyHolder;
    Get?: KeyHolder;
  }[];
}

const stringValue = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
};

/** The partition key a Query names: the first equality of its key condition (table or index). */
function queryLeadingKey(input: Input): string | undefined {
  const match = /^\s*\(?\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/.exec(input.KeyConditionExpression ?? '');
  if (!match) return undefined;
  return stringValue(input.ExpressionAttributeValues?.[match[2] as string]);
}

/** Every `dynamodb:LeadingKeys` value of a request, as IAM sees it (transactions: each item's own action). */
export function leadingKeysOf(operation: string, input: Input): string[] {
  const keys: (string | undefined)[] = [];
  switch (operation) {
    case 'Get':
    case 'Update':
    case 'Delete':
      keys.push(pkOf(input.Key));
      break;
    case 'Put':
      keys.push(pkOf(input.Item));
      break;
    case 'Query':
      keys.push(queryLeadingKey(input));
      break;
    case 'BatchGet':
      for (const request of Object.values(input.RequestItems ?? {}))
        for (const key of (request as { Keys?: unknown[] }).Keys ?? []) keys.push(pkOf(key));
      break;
    case 'BatchWrite':
      for (const requests of Object.values(input.RequestItems ?? {})) {
        for (const r of requests as { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[])
          keys.push(pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
      }
      break;
    case 'TransactWrite':
    case 'TransactGet':
      for (const action of input.TransactItems ?? []) {
        const holder = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck ?? action.Get;
        keys.push(pkOf(holder?.Item ?? holder?.Key));
      }
      break;
    default:
      break;
  }
  return keys.filter((k): k is string => k !== undefined);
}

function checkLeadingKeys(fn: TableFunctionName, operation: string, input: Input): void {
  for (const key of leadingKeysOf(operation, input)) {
    // Set while deriving a function's patterns from a test run (see infra/README.md); never in CI.
    if (process.env.E_TEAM_RECORD_LEADING_KEYS) {
      appendFileSync(
        process.env.E_TEAM_RECORD_LEADING_KEYS,
        `${fn}\t${operation}\t${input.IndexName ?? 'table'}\t${key}\n`,
      );
      continue;
    }
    if (!allowedLeadingKey(fn, key))
      throw new DeniedByStackPolicy(
        `${fn} may not touch the partition ${key} (${operation}); see shared/table/table-access.ts`,
      );
  }
}

export function checkAgainstStackPolicy(
  command: string,
  input: Input,
  fn: TableFunctionName | undefined = currentFunction(),
): void {
  // `UpdateCommand` (document client) and `UpdateItemCommand` (low level) are one IAM action.
  const operation = command.replace(/(Item|Items)?Command$/, '');
  switch (operation) {
    case 'Scan':
      throw new DeniedByStackPolicy('Scan (the table design has none)');
    case 'Update':
    case 'Delete':
      if (isAudit(input.Key)) throw new DeniedByStackPolicy('changing or deleting an audit record');
      break;
    case 'BatchWrite':
      for (const requests of Object.values(input.RequestItems ?? {})) {
        for (const r of requests as { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]) {
          if (isAudit(r.PutRequest?.Item) || isAudit(r.DeleteRequest?.Key))
            throw new DeniedByStackPolicy('a BatchWriteItem touching an audit partition');
        }
      }
      break;
    case 'TransactWrite':
      for (const action of input.TransactItems ?? []) {
        if (isAudit(action.Update?.Key) || isAudit(action.Delete?.Key))
          throw new DeniedByStackPolicy('changing or deleting an audit record in a transaction');
      }
      break;
    default:
      break;
  }
  if (fn) checkLeadingKeys(fn, operation, input);
}

export function guardWithStackPolicy(db: DynamoDBDocumentClient): void {
  db.middlewareStack.add(
    (next, context) => async (args) => {
      checkAgainstStackPolicy(context.commandName ?? '', args.input as Input);
      return next(args);
    },
    { step: 'initialize', name: 'localStackPolicyGuard' },
  );
}
