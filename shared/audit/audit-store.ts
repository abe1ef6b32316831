import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditKeys, timeKey } from '#shared/table/keys.ts';
import {
  expiresAfterDays,
  putNew,
  queryPage,
  transactWrite,
  type Item,
  type Page,
  type Table,
  type TransactItem,
} from '#shared/table/store.ts';

/**
 * The audit records in the table: their item shape and keys, and the only writes they ever get,
 * each conditioned on a new key (records are append-only; the stack's IAM policy denies updates
 * and deletes too). Nothing here decides what is audited: `audit.ts` does.
 */
export interface StoredAuditRecord {
  readonly auditId: string;
  readonly at: string;
  readonly citizenId: string;
  readonly action: string;
  readonly resource: string;
  readonly actor: { readonly sub: string; readonly role: string; readonly kind: string; readonly team?: string };
  readonly requestId: string;
}

/** The item of a record: by citizen (pk) and by actor (gsi1), expiring after the retention. */
export function auditItem(record: StoredAuditRecord, expiresAt: { retentionDays: number; from: Date }) {
  return {
    ...auditKeys.record(record.citizenId, record.at, record.auditId),
    ...auditKeys.byActor(record.actor.sub, record.at, record.auditId),
    entity: 'AuditRecord',
    ...record,
    expiresAt: expiresAfterDays(expiresAt.retentionDays, expiresAt.from),
  };
}

type AuditItem = ReturnType<typeof auditItem>;

/** The Put of a record, for the transaction that makes the audited change. */
export function auditRecordAction(table: Table, item: AuditItem): TransactItem {
  return putNew(table, item);
}

/** One record on its own: a conditional Put costs half the write units of a transaction. */
export async function putAuditRecord(table: Table, item: AuditItem): Promise<void> {
  await table.db.send(
    new PutCommand({ TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
}

/** A record with a deterministic key: false when it was already written (work that runs twice). */
export async function putAuditRecordOnce(table: Table, item: AuditItem): Promise<boolean> {
  try {
    await putAuditRecord(table, item);
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
}

/** Many records, up to 100 in one transaction: a search that shows 50 citizens audits 50 reads at once. */
export async function putAuditRecords(table: Table, items: readonly AuditItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 100) {
    await transactWrite(
      table,
      items.slice(i, i + 100).map((item) => putNew(table, item)),
    );
  }
}

/** A page of one citizen's records, or of one actor's, in a time range, newest first. */
export async function queryAuditRecords(
  table: Table,
  query: { by: 'citizen' | 'actor'; id: string; from: string; to: string; limit: number; cursor?: string | undefined },
): Promise<Page<Item>> {
  const between = timeKey.range(query.from, query.to);
  return queryPage<Item>(table, {
    ...(query.by === 'citizen'
      ? {
          partition: ['pk', auditKeys.citizenPartition(query.id)] as const,
          sort: { attribute: 'sk', between },
        }
      : {
          index: 'gsi1' as const,
          partition: ['gsi1pk', auditKeys.actorPartition(query.id)] as const,
          sort: { attribute: 'gsi1sk', between },
        }),
    limit: query.limit,
    cursor: query.cursor,
    newestFirst: true,
  });
}
