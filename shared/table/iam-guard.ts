import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * LOCAL ONLY: the stack's IAM Deny statements (infra/stack.ts: `AuditIsAppendOnly`,
 * `AuditIsAppendOnlyInBatches`, `NoScan`) enforced on the DynamoDB client of `npm start` and the
 * tests, so a code path that AWS would refuse fails here too instead of in production.
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

interface Input {
  Key?: unknown;
  RequestItems?: Record<string, { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]>;
  TransactItems?: { Update?: { Key?: unknown }; Delete?: { Key?: unknown } }[];
}

export function checkAgainstStackPolicy(command: string, input: Input): void {
  // `UpdateCommand` (document client) and `UpdateItemCommand` (low level) are one IAM action.
  const operation = command.replace(/(Item|Items)?Command$/, '');
  switch (operation) {
    case 'Scan':
      throw new DeniedByStackPolicy('Scan (the table design has none)');
    case 'Update':
    case 'Delete':
      if (isAudit(input.Key)) throw new DeniedByStackPolicy('changing or deleting an audit record');
      return;
    case 'BatchWrite':
      for (const requests of Object.values(input.RequestItems ?? {})) {
        for (const r of requests) {
          if (isAudit(r.PutRequest?.Item) || isAudit(r.DeleteRequest?.Key)) throw new DeniedByStackPolicy('a BatchWriteItem touching an audit partition');
        }
      }
      return;
    case 'TransactWrite':
      for (const action of input.TransactItems ?? []) {
        if (isAudit(action.Update?.Key) || isAudit(action.Delete?.Key)) throw new DeniedByStackPolicy('changing or deleting an audit record in a transaction');
      }
      return;
    default:
      return;
  }
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
