/**
 * The one table, as data. `scripts/start-local.ts` and the tests create it from this, and the CDK
 * stack builds its `TableV2` from the same constants, so local and AWS cannot drift.
 * See docs/table-design.md for what each index serves.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;

export const globalIndexes = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
] as const;

export type IndexName = (typeof globalIndexes)[number]['indexName'];

/**
 * The table's stream: domain events leave the table through it (the transactional outbox), and
 * stored device events are turned into derived state from it. NEW_AND_OLD_IMAGES so a consumer
 * sees what an item was before a change as well as after.
 */
export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES' as const;
