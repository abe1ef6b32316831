import { describe, expect, it } from 'vitest';
import { NamedTransactionConflict, TransactionConflict, updateParts } from './store.ts';

describe('a named transaction conflict', () => {
  const conflict = new NamedTransactionConflict(
    ['visit', 'staffSlot', 'citizenSlot'],
    new TransactionConflict(['None', 'ConditionalCheckFailed', 'None'], [undefined, { visitId: 'vis_1' }, undefined]),
  );
  it('names the action whose condition failed and keeps its stored item', () => {
    expect(conflict.failedOn('staffSlot')).toBe(true);
    expect(conflict.failedOn('visit')).toBe(false);
    expect(conflict.failedNames()).toEqual(['staffSlot']);
    expect(conflict.itemOf('staffSlot')).toEqual({ visitId: 'vis_1' });
    expect(conflict.contended()).toBe(false);
  });
  it('tells a cancellation by a concurrent transaction from a failed condition', () => {
    const raced = new NamedTransactionConflict(['a'], new TransactionConflict(['TransactionConflict']));
    expect(raced.contended()).toBe(true);
    expect(raced.failedNames()).toEqual([]);
  });
});

describe('update parts', () => {
  it('binds every field and value by placeholder and leaves undefined fields out', () => {
    expect(updateParts({ set: { status: 'done', note: undefined }, remove: ['ttl'], add: { count: 1 } })).toEqual({
      UpdateExpression: 'SET #u0 = :u0 REMOVE #u1 ADD #u2 :u2',
      ExpressionAttributeNames: { '#u0': 'status', '#u1': 'ttl', '#u2': 'count' },
      ExpressionAttributeValues: { ':u0': 'done', ':u2': 1 },
    });
  });
  it('refuses an update that changes nothing', () => {
    expect(() => updateParts({ set: { note: undefined } })).toThrow(/at least one/);
  });
});
