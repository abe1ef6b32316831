import { describe, expect, it } from 'vitest';
import { overwriteOf, restorationOf } from '#shared/dispensers/raw-event-guard.ts';
import type { StreamRecord } from '#shared/domain-events/stream.ts';

/**
 * The rule that keeps the first stored copy of a raw device event (a batch's BatchWriteItem may
 * replace it): which MODIFY is an overwrite, and what is stored again. Pure, no table.
 */
const now = new Date('2026-11-23T12:00:00Z');
const liveUntil = Math.floor(Date.parse('2027-02-21T07:05:00Z') / 1000);

const first = {
  pk: 'DISPENSER#dsp_1#EVENTS',
  sk: 'ev-1',
  entity: 'DeviceEvent',
  dispenserId: 'dsp_1',
  team: 'team-north',
  citizenId: 'cit_1',
  eventId: 'ev-1',
  type: 'dose_taken',
  occurredAt: '2026-11-23T07:05:00.000Z',
  deviceTime: '2026-11-23T08:05:00+01:00',
  scheduledFor: '2026-11-23T08:00:00+01:00',
  doseAt: '2026-11-23T07:00:00.000Z',
  details: { tray: 3, sensor: 'lid' },
  receivedAt: '2026-11-23T11:59:59.000Z',
  requestId: 'req-first',
  expiresAt: liveUntil,
};
const receipt = { receivedAt: '2026-11-23T11:59:59.004Z', requestId: 'req-second' };
const modify = (oldImage: object | undefined, newImage: object | undefined): StreamRecord => ({
  sequenceNumber: '7',
  eventName: 'MODIFY',
  oldImage: oldImage as Record<string, unknown>,
  newImage: newImage as Record<string, unknown>,
});

describe('what is stored again after a batch replaced a raw event', () => {
  it('the first copy, when the other copy says something else: type, time, dose, details, citizen', () => {
    for (const change of [
      { type: 'jammed' },
      { occurredAt: '2026-11-23T07:06:00.000Z' },
      { scheduledFor: undefined },
      { doseAt: '2026-11-23T19:00:00.000Z' },
      { details: { tray: 4, sensor: 'lid' } },
      { details: undefined },
      { citizenId: 'cit_2' },
    ])
      expect(restorationOf(first, { ...first, ...receipt, ...change }), JSON.stringify(change)).toEqual({
        item: first,
        overwrite: 'content',
      });
  });

  it('the first copy’s receipt, when only another post stored the same event again', () => {
    expect(restorationOf(first, { ...first, ...receipt })).toEqual({ item: first, overwrite: 'receipt' });
    expect(restorationOf(first, { ...first, requestId: 'req-second' })).toEqual({ item: first, overwrite: 'receipt' });
  });

  it('nothing, when what is stored is the first copy (the put-back’s own MODIFY), details in any order', () => {
    expect(restorationOf(first, { ...first })).toBeUndefined();
    expect(restorationOf(first, { ...first, details: { sensor: 'lid', tray: 3 } })).toBeUndefined();
  });
});

describe('which stream records are overwrites of a raw event', () => {
  it('a MODIFY of a raw device event, with both images: the old one is the copy to keep', () => {
    const second = { ...first, ...receipt, type: 'jammed' };
    expect(overwriteOf(modify(first, second), now)).toEqual({ first, current: second });
  });

  it('not an INSERT or a REMOVE, not another entity, not a record without both images', () => {
    expect(overwriteOf({ ...modify(undefined, first), eventName: 'INSERT' }, now)).toBeUndefined();
    expect(overwriteOf({ ...modify(first, undefined), eventName: 'REMOVE' }, now)).toBeUndefined();
    expect(overwriteOf(modify(first, undefined), now)).toBeUndefined();
    const visit = { pk: 'VISIT#v', sk: 'VISIT', entity: 'Visit' };
    expect(overwriteOf(modify(visit, { ...visit, status: 'done' }), now)).toBeUndefined();
  });

  it('a write over an expired copy (a post reads it as absent) begins the id anew: that write is the one to keep', () => {
    const expired = { ...first, expiresAt: Math.floor(now.getTime() / 1000) - 1 };
    const fresh = { ...first, ...receipt, type: 'heartbeat', expiresAt: liveUntil + 86_400 };
    const overwrite = overwriteOf(modify(expired, fresh), now);
    expect(overwrite).toEqual({ first: fresh, current: fresh });
    expect(restorationOf(fresh, fresh)).toBeUndefined();
  });
});
