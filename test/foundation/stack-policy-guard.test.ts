import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeniedByStackPolicy } from '../../shared/table/iam-guard.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/** The local client refuses what the stack's IAM policy denies, so tests catch it before AWS does. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});

describe('the local stand-in for the stack’s IAM policy', () => {
  const TableName = () => t.deps.table.name;
  const auditKey = { pk: 'AUDIT#cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8', sk: '2026-11-23T08:00:00.000Z#aud_x' };

  it('lets a new audit record be put, and nothing change or delete it', async () => {
    await t.deps.table.db.send(new PutCommand({ TableName: TableName(), Item: { ...auditKey, action: 'citizen.read' }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await expect(t.deps.table.db.send(new UpdateCommand({ TableName: TableName(), Key: auditKey, UpdateExpression: 'SET action = :a', ExpressionAttributeValues: { ':a': 'x' } }))).rejects.toBeInstanceOf(DeniedByStackPolicy);
    await expect(t.deps.table.db.send(new DeleteCommand({ TableName: TableName(), Key: auditKey }))).rejects.toBeInstanceOf(DeniedByStackPolicy);
  });

  it('refuses a batch write that touches an audit partition, and any Scan', async () => {
    await expect(
      t.deps.table.db.send(new BatchWriteCommand({ RequestItems: { [TableName()]: [{ PutRequest: { Item: { pk: 'X#1', sk: 'a' } } }, { PutRequest: { Item: { ...auditKey, sk: 'other' } } }] } })),
    ).rejects.toBeInstanceOf(DeniedByStackPolicy);
    await expect(t.deps.table.db.send(new ScanCommand({ TableName: TableName(), Limit: 1 }))).rejects.toBeInstanceOf(DeniedByStackPolicy);
  });
});
