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
