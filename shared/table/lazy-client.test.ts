import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { lazyDocumentClient } from './lazy-client.ts';

describe('the DynamoDB client a Lambda creates at import', () => {
  it('loads the SDK on the first send and then answers like the real client', async () => {
    const db = lazyDocumentClient({ region: 'eu-north-1', endpoint: inject('dynamoEndpoint') });
    const tables = await db.send(new ListTablesCommand({}));
    expect(Array.isArray(tables.TableNames)).toBe(true);
    await expect(
      db.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'a', sk: 'b' } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('offers nothing but send, so a caller that needs more fails loudly instead of getting undefined', () => {
    const db = lazyDocumentClient({ region: 'eu-north-1' });
    expect(() => db.middlewareStack).toThrow(TypeError);
    expect(() => db.destroy()).toThrow(TypeError);
  });
});
