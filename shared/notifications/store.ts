import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Item, Key, Table } from '#shared/table/store.ts';

/**
 * The notification items' writes outside transactions: settings the team or a person replace as
 * a whole (roster, chain, contact points, push subscriptions), delivery records, claims of an
 * escalation step, quiet periods. The rules in ./settings.ts and ./escalation.ts build the items
 * (with the keys of shared/table/keys.ts) and call these; the SDK and its conditions live here.
 */
export async function putItem(table: Table, item: Item & Key): Promise<void> {
  await table.db.send(new PutCommand({ TableName: table.name, Item: item }));
}

/** Puts the item unless its key exists; false when it did (the claim was someone else's). */
export async function claimItem(table: Table, item: Item & Key): Promise<boolean> {
  try {
    await table.db.send(
      new PutCommand({ TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')
      return false;
    throw error;
  }
}

/** Deletes the item; false when there was none. */
export async function deleteItem(table: Table, key: Key): Promise<boolean> {
  const result = await table.db.send(new DeleteCommand({ TableName: table.name, Key: key, ReturnValues: 'ALL_OLD' }));
  return result.Attributes !== undefined;
}
