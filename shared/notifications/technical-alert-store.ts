import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '#shared/table/cursor.ts';
import { TTL_ATTRIBUTE } from '#shared/table/schema.ts';
import type { Item, Page, Table } from '#shared/table/store.ts';

/** At most this many Query rounds fill one page: a team with many clinical alerts costs bounded reads. */
const MAX_ROUNDS = 5;

export interface KindQuery {
  index: 'gsi1' | 'gsi3';
  /** The index's partition: a team's alerts in one status, or a citizen's alerts. */
  partition: readonly [string, string];
  kinds: readonly string[];
  /** Only alerts in this status (the citizen's partition holds every status). */
  status?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  newestFirst?: boolean;
}

/**
 * One page of an alert partition holding only some kinds. The kinds are a filter (DynamoDB reads
 * the other alerts and drops them), so each round asks for no more than the page still needs: the
 * cursor then never skips an alert that was read but not returned.
 */
export async function queryAlertsOfKinds(table: Table, query: KindQuery): Promise<Page<Item>> {
  const items: Item[] = [];
  let cursor = query.cursor;
  for (let round = 0; round < MAX_ROUNDS && items.length < query.limit; round++) {
    const result = await table.db.send(
      new QueryCommand(kindQueryInput(table, query, query.limit - items.length, cursor)),
    );
    items.push(...((result.Items ?? []) as Item[]));
    cursor = encodeCursor(result.LastEvaluatedKey);
    if (!cursor) break;
  }
  return { items, nextCursor: cursor };
}

function kindQueryInput(table: Table, query: KindQuery, limit: number, cursor: string | undefined) {
  const kinds = Object.fromEntries(query.kinds.map((kind, i) => [`:k${i}`, kind]));
  const names: Record<string, string> = { '#pk': query.partition[0], '#kind': 'kind', '#ttl': TTL_ATTRIBUTE };
  const values: Record<string, unknown> = {
    ':pk': query.partition[1],
    ':now': Math.floor(Date.now() / 1000),
    ...kinds,
  };
  let filter = `#kind IN (${Object.keys(kinds).join(', ')}) AND (attribute_not_exists(#ttl) OR #ttl > :now)`;
  if (query.status) {
    names['#status'] = 'status';
    values[':status'] = query.status;
    filter += ' AND #status = :status';
  }
  return {
    TableName: table.name,
    IndexName: query.index,
    KeyConditionExpression: '#pk = :pk',
    FilterExpression: filter,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    Limit: limit,
    ExclusiveStartKey: decodeCursor(cursor),
    ScanIndexForward: !query.newestFirst,
  };
}
