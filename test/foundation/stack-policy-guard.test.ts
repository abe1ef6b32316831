import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  BatchWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionOfRequest, partRoutes } from '#shared/app/local-function-scope.ts';
import { DeniedByStackPolicy } from '#shared/table/iam-guard.ts';
import { asFunction } from '#shared/table/table-access.ts';
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
    await t.deps.table.db.send(
      new PutCommand({
        TableName: TableName(),
        Item: { ...auditKey, action: 'citizen.read' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await expect(
      t.deps.table.db.send(
        new UpdateCommand({
          TableName: TableName(),
          Key: auditKey,
          UpdateExpression: 'SET action = :a',
          ExpressionAttributeValues: { ':a': 'x' },
        }),
      ),
    ).rejects.toBeInstanceOf(DeniedByStackPolicy);
    await expect(
      t.deps.table.db.send(new DeleteCommand({ TableName: TableName(), Key: auditKey })),
    ).rejects.toBeInstanceOf(DeniedByStackPolicy);
  });

  it('refuses a batch write that touches an audit partition, and any Scan', async () => {
    await expect(
      t.deps.table.db.send(
        new BatchWriteCommand({
          RequestItems: {
            [TableName()]: [
              { PutRequest: { Item: { pk: 'X#1', sk: 'a' } } },
              { PutRequest: { Item: { ...auditKey, sk: 'other' } } },
            ],
          },
        }),
      ),
    ).rejects.toBeInstanceOf(DeniedByStackPolicy);
    await expect(t.deps.table.db.send(new ScanCommand({ TableName: TableName(), Limit: 1 }))).rejects.toBeInstanceOf(
      DeniedByStackPolicy,
    );
  });

  it('holds code running as a function to that function’s partitions, as its LeadingKeys grant does on AWS', async () => {
    const citizen = { pk: 'CITIZEN#cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8', sk: 'PROFILE' };
    // The device route may not read a citizen's profile or list a team, by key or through an index.
    await expect(
      asFunction('DeviceEvents', () => t.deps.table.db.send(new GetCommand({ TableName: TableName(), Key: citizen }))),
    ).rejects.toBeInstanceOf(DeniedByStackPolicy);
    await expect(
      asFunction('DeviceEvents', () =>
        t.deps.table.db.send(
          new QueryCommand({
            TableName: TableName(),
            IndexName: 'gsi1',
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'gsi1pk' },
            ExpressionAttributeValues: { ':pk': 'TEAM#east#CITIZENS' },
          }),
        ),
      ),
    ).rejects.toBeInstanceOf(DeniedByStackPolicy);
    // The care function may; and its own dispenser's item is the device route's.
    await expect(
      asFunction('Care', () => t.deps.table.db.send(new GetCommand({ TableName: TableName(), Key: citizen }))),
    ).resolves.toBeDefined();
    await expect(
      asFunction('DeviceEvents', () =>
        t.deps.table.db.send(
          new GetCommand({ TableName: TableName(), Key: { pk: 'DISPENSER#dsp_1', sk: 'DISPENSER' } }),
        ),
      ),
    ).resolves.toBeDefined();
  });

  it('runs each request as the function of the part that serves it, as API Gateway routes it', () => {
    const routes = partRoutes();
    expect(functionOfRequest(routes, 'POST', '/dispensers/dsp_1/events')).toBe('DeviceEvents');
    expect(functionOfRequest(routes, 'GET', '/dispensers/dsp_1')).toBe('Dispensers');
    expect(functionOfRequest(routes, 'GET', '/citizens')).toBe('Care');
    expect(functionOfRequest(routes, 'GET', '/audit')).toBe('Admin');
    expect(functionOfRequest(routes, 'GET', '/health')).toBeUndefined();
  });
});
