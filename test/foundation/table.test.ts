import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#shared/table/cursor.ts';
import {
  getItem,
  isLive,
  putNew,
  queryPage,
  transactWrite,
  TransactionConflict,
  writeEachConditionally,
  type Table,
} from '#shared/table/store.ts';
import { ValidationError } from '#shared/platform/errors.ts';
import { createTestApp } from '../support/app.ts';

let table: Table;
const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  table = (await createTestApp()).deps.table;
});

describe('reads treat expired items as absent, as on AWS where TTL deletes lazily', () => {
  it('getItem ignores an item whose TTL has passed', async () => {
    await table.db.send(
      new PutCommand({ TableName: table.name, Item: { pk: 'T#expired', sk: 'A', expiresAt: nowSeconds() - 10 } }),
    );
    await table.db.send(
      new PutCommand({ TableName: table.name, Item: { pk: 'T#live', sk: 'A', expiresAt: nowSeconds() + 3600 } }),
    );
    expect(await getItem(table, { pk: 'T#expired', sk: 'A' })).toBeUndefined();
    expect(await getItem(table, { pk: 'T#live', sk: 'A' })).toMatchObject({ pk: 'T#live' });
  });

  it('a Query leaves expired items out', async () => {
    for (const [sk, expiresAt] of [
      ['1', nowSeconds() - 5],
      ['2', undefined],
      ['3', nowSeconds() + 60],
    ] as const) {
      await table.db.send(
        new PutCommand({ TableName: table.name, Item: { pk: 'T#mixed', sk, ...(expiresAt ? { expiresAt } : {}) } }),
      );
    }
    const page = await queryPage(table, { partition: ['pk', 'T#mixed'] });
    expect(page.items.map((i) => i.sk)).toEqual(['2', '3']);
  });

  it('isLive reads the TTL in epoch seconds', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(isLive({ expiresAt: now.getTime() / 1000 + 1 }, now)).toBe(true);
    expect(isLive({ expiresAt: now.getTime() / 1000 }, now)).toBe(false);
    expect(isLive({}, now)).toBe(true);
    expect(isLive(undefined, now)).toBe(false);
  });
});

describe('transactions', () => {
  it('write all or nothing, and name the action whose condition failed', async () => {
    await transactWrite(table, [putNew(table, { pk: 'T#tx', sk: 'taken' })]);
    const attempt = transactWrite(table, [
      putNew(table, { pk: 'T#tx', sk: 'new' }),
      putNew(table, { pk: 'T#tx', sk: 'taken' }),
    ]);
    await expect(attempt).rejects.toBeInstanceOf(TransactionConflict);
    const error = (await attempt.catch((e: unknown) => e)) as TransactionConflict;
    expect(error.firstFailed()).toBe(1);
    expect(await getItem(table, { pk: 'T#tx', sk: 'new' }, { consistent: true })).toBeUndefined();
  });
});

describe('cursors', () => {
  it('round-trip a last evaluated key', () => {
    const key = { pk: 'CITIZEN#x', sk: 'PROFILE', gsi1pk: 'TEAM#east#CITIZENS', gsi1sk: 'hansen#x' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an array', Buffer.from('[1]').toString('base64url')],
    ['a foreign attribute', Buffer.from('{"password":"x"}').toString('base64url')],
    ['a number value', Buffer.from('{"pk":1}').toString('base64url')],
  ])('reject %s as a validation error', (_what, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(ValidationError);
  });
});

describe('many conditional writes in few transactions', () => {
  it('writes exactly the actions whose condition holds, across transactions of 100, and leaves the others as they were', async () => {
    const taken = ['007', '099', '100', '149'];
    for (const sk of taken)
      await table.db.send(new PutCommand({ TableName: table.name, Item: { pk: 'T#blocks', sk, owner: 'visit' } }));
    const buckets = Array.from({ length: 150 }, (_, i) => String(i).padStart(3, '0'));
    const written = await writeEachConditionally(
      table,
      buckets.map((sk) => ({
        name: sk,
        action: putNew(table, { pk: 'T#blocks', sk, owner: 'block' }),
      })),
    );
    expect([...written].sort()).toEqual(buckets.filter((b) => !taken.includes(b)));
    for (const sk of taken) expect(await getItem(table, { pk: 'T#blocks', sk })).toMatchObject({ owner: 'visit' });
    expect(await getItem(table, { pk: 'T#blocks', sk: '098' })).toMatchObject({ owner: 'block' });
  });
});
