import { describe, expect, it } from 'vitest';
import { changeOf, decideGuard, restorationOf } from '#shared/dispensers/raw-event-guard.ts';
import type { StreamRecord } from '#shared/domain-events/stream.ts';

/**
 * The rule that keeps the first stored copy of a raw device event (a batch's BatchWriteItem may
 * replace it) while the derivation's own changes to it stand: which MODIFY is an overwrite, which
 * first copy is remembered, and what is stored again. Pure, no table.
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
  credentialIssuedAt: '2026-11-20T10:00:00.000Z',
  decidedFromCache: true,
  expiresAt: liveUntil,
};
type Copy = typeof first;
const receipt = { receivedAt: '2026-11-23T11:59:59.004Z', requestId: 'req-second' };
/** Another batch's copy of the event id: a jam, half an hour later. */
const second: Copy = { ...first, ...receipt, type: 'jammed', occurredAt: '2026-11-23T07:35:00.000Z' };
const modify = (oldImage: object | undefined, newImage: object | undefined): StreamRecord => ({
  sequenceNumber: '7',
  eventName: 'MODIFY',
  oldImage: oldImage as Record<string, unknown>,
  newImage: newImage as Record<string, unknown>,
});
const change = (oldImage: Copy, newImage: Copy) => ({ oldImage, newImage });

describe('what is stored again after a batch replaced a raw event', () => {
  it('the first copy, when the other copy says something else: type, time, dose, details, citizen', () => {
    for (const other of [
      { type: 'jammed' },
      { occurredAt: '2026-11-23T07:06:00.000Z' },
      { scheduledFor: undefined },
      { doseAt: '2026-11-23T19:00:00.000Z' },
      { details: { tray: 4, sensor: 'lid' } },
      { details: undefined },
      { citizenId: 'cit_2' },
    ])
      expect(restorationOf(first, { ...first, ...receipt, ...other }), JSON.stringify(other)).toEqual({
        item: first,
        overwrite: 'content',
      });
  });

  it('the first copy’s receipt, when only another post stored the same event again', () => {
    expect(restorationOf(first, { ...first, ...receipt })).toEqual({ item: first, overwrite: 'receipt' });
    expect(restorationOf(first, { ...first, requestId: 'req-second' })).toEqual({ item: first, overwrite: 'receipt' });
  });

  it('nothing, when what is stored is the first copy, details in any order', () => {
    expect(restorationOf(first, { ...first })).toBeUndefined();
    expect(restorationOf(first, { ...first, details: { sensor: 'lid', tray: 3 } })).toBeUndefined();
  });
});

describe('the guard’s decision on a MODIFY of a raw event', () => {
  it('the first overwrite: its old image is the first copy, remembered and stored again', () => {
    expect(decideGuard(undefined, change(first, second), now)).toEqual({
      keep: first,
      restoration: { item: first, overwrite: 'content' },
    });
  });

  it('a later overwrite (a third batch, or after the put-back): the remembered first copy is stored again', () => {
    const third: Copy = { ...first, type: 'empty', requestId: 'req-third', receivedAt: '2026-11-23T11:59:59.009Z' };
    expect(decideGuard(first, change(second, third), now)).toEqual({
      restoration: { item: first, overwrite: 'content' },
    });
  });

  it('the put-back’s own MODIFY, and any record delivered again once the first copy is back, decide nothing new', () => {
    expect(decideGuard(first, change(second, first), now)).toEqual({});
    // Delivered again: the same put-back is decided, conditioned on the copy that is no longer stored.
    expect(decideGuard(first, change(first, second), now)).toEqual({
      restoration: { item: first, overwrite: 'content' },
    });
  });

  it('a change by the derivation (same receipt) stands; before any overwrite nothing is remembered', () => {
    const placed = { ...first, citizenId: 'cit_2', doseAt: '2026-11-23T07:00:00.000Z' };
    expect(decideGuard(undefined, change(first, placed), now)).toEqual({});
    expect(decideGuard(undefined, change(first, { ...first, refused: 'credential-replaced' } as Copy), now)).toEqual(
      {},
    );
  });

  it('a change by the derivation on the first copy, after a put-back: remembered, nothing stored again', () => {
    const refused = { ...first, refused: 'not-assigned' };
    expect(decideGuard(first, change(first, refused), now)).toEqual({ keep: refused });
  });

  it('a change by the derivation that landed on the other batch’s copy: carried over to the first copy, stored again', () => {
    const { doseAt: _removed, ...placedSecond } = { ...second, citizenId: 'cit_2' };
    const { doseAt: _gone, ...placedFirst } = { ...first, citizenId: 'cit_2' };
    expect(decideGuard(first, change(second, placedSecond as Copy), now)).toEqual({
      keep: placedFirst,
      restoration: { item: placedFirst, overwrite: 'content' },
    });
  });

  it('a write over an expired copy (a post reads it as absent) begins the id anew; an expired first copy is forgotten', () => {
    const expired = { ...first, expiresAt: Math.floor(now.getTime() / 1000) - 1 };
    expect(decideGuard(undefined, change(expired, { ...second, expiresAt: liveUntil + 86_400 }), now)).toEqual({});
    expect(decideGuard(expired, change(first, second), now)).toEqual({
      keep: first,
      restoration: { item: first, overwrite: 'content' },
    });
  });
});

describe('which stream records are the guard’s', () => {
  it('a MODIFY of a raw device event, with both images', () => {
    expect(changeOf(modify(first, second))).toEqual({ oldImage: first, newImage: second });
  });

  it('not an INSERT or a REMOVE, not another entity, not a record without both images', () => {
    expect(changeOf({ ...modify(undefined, first), eventName: 'INSERT' })).toBeUndefined();
    expect(changeOf({ ...modify(first, undefined), eventName: 'REMOVE' })).toBeUndefined();
    expect(changeOf(modify(first, undefined))).toBeUndefined();
    const visit = { pk: 'VISIT#v', sk: 'VISIT', entity: 'Visit' };
    expect(changeOf(modify(visit, { ...visit, status: 'done' }))).toBeUndefined();
  });
});
