import { describe, expect, it } from 'vitest';
import { hashCredential } from '#shared/dispensers/credential.ts';
import {
  contactNeedsWrite,
  credentialValidAt,
  doseAlertAction,
  planDerivation,
  reviewCachedDecisions,
  type StoredEvent,
} from '#shared/dispensers/derive.ts';
import { checkEvents, decideIngest, firstOfEachId, ingestResult } from '#shared/dispensers/ingest.ts';
import type { DispenserItem } from '#shared/dispensers/store.ts';

/** The rules of the device path as pure functions: no table, no clock but the one given. */
const now = new Date('2026-11-23T12:00:00Z');
const credential = `dsp_01JD0000000000000000000000.${'a'.repeat(43)}`;
const call = { dispenserId: 'dsp_01JD0000000000000000000000', credential, requestId: 'req-1' };
const device = {
  dispenserId: call.dispenserId,
  team: 'east',
  credentialHash: hashCredential(credential),
  periods: [
    { citizenId: 'cit_old', from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
    { citizenId: 'cit_now', from: '2026-11-21T00:00:00.000Z' },
  ],
  assignment: { citizenId: 'cit_now' },
  dosePlan: { times: ['08:00'], validFrom: '2026-11-01', onTimeMinutes: 60 },
} as unknown as DispenserItem;

const decide = (events: unknown[], stored = new Map<string, { type: string; occurredAt: string }>()) => {
  const { candidates, rejected } = checkEvents(events, now, 90);
  const { unique } = firstOfEachId(candidates);
  return {
    checked: rejected,
    ...decideIngest({ call, device, stored, unique, now, zone: 'Europe/Copenhagen', retentionDays: 90 }),
  };
};

describe('deciding a post', () => {
  it('refuses a wrong credential and an unknown dispenser', () => {
    const { candidates } = checkEvents([], now, 90);
    const input = { stored: new Map(), unique: candidates, now, zone: 'Europe/Copenhagen', retentionDays: 90 };
    expect(() =>
      decideIngest({ ...input, call: { ...call, credential: `${call.dispenserId}.${'b'.repeat(43)}` }, device }),
    ).toThrow('The device credential is not valid.');
    expect(() => decideIngest({ ...input, call, device: undefined })).toThrow('The device credential is not valid.');
  });

  it('attributes each event to the citizen of its time and places a take on its planned dose', () => {
    const { fresh, rejected } = decide([
      { eventId: 'a', type: 'dose_taken', occurredAt: '2026-11-23T07:10:00Z' },
      { eventId: 'b', type: 'heartbeat', occurredAt: '2026-11-10T10:00:00Z' },
      { eventId: 'c', type: 'heartbeat', occurredAt: '2026-11-20T12:00:00Z' },
    ]);
    expect(fresh.map((e) => [e.eventId, e.citizenId, e.doseAt])).toEqual([
      ['a', 'cit_now', '2026-11-23T07:00:00.000Z'],
      ['b', 'cit_old', undefined],
    ]);
    expect(rejected).toEqual([
      {
        index: 2,
        eventId: 'c',
        errors: [{ field: 'events/2/occurredAt', message: 'the dispenser was not assigned to a citizen at this time' }],
      },
    ]);
  });

  it('counts a stored id with the same content as known, and rejects one with other content', () => {
    const stored = new Map([
      ['same', { type: 'heartbeat', occurredAt: '2026-11-23T10:00:00.000Z' }],
      ['other', { type: 'jammed', occurredAt: '2026-11-23T10:00:00.000Z' }],
    ]);
    const { fresh, known, rejected } = decide(
      [
        { eventId: 'same', type: 'heartbeat', occurredAt: '2026-11-23T11:00:00+01:00' },
        { eventId: 'other', type: 'heartbeat', occurredAt: '2026-11-23T10:00:00Z' },
      ],
      stored,
    );
    expect(fresh).toEqual([]);
    expect(known).toBe(1);
    expect(rejected.map((r) => r.errors[0]?.field)).toEqual(['events/1/eventId']);
  });

  it('keeps the first of a repeated id in one batch and rejects the clock’s outliers', () => {
    const { checked, fresh } = decide([
      { eventId: 'x', type: 'heartbeat', occurredAt: '2026-11-23T10:00:00Z' },
      { eventId: 'x', type: 'heartbeat', occurredAt: '2026-11-23T10:00:00Z' },
      { eventId: 'future', type: 'heartbeat', occurredAt: '2026-11-23T12:11:00Z' },
      { eventId: 'old', type: 'heartbeat', occurredAt: '2026-08-01T12:00:00Z' },
    ]);
    expect(fresh.map((e) => e.eventId)).toEqual(['x']);
    expect(checked.map((r) => r.errors[0]?.message)).toEqual([
      'is more than 10 minutes ahead of the server clock',
      'is older than the 90-day retention of device events',
    ]);
  });

  it('answers per index: accepted, duplicate or rejected, with the counts', () => {
    const rejected = [{ index: 2, errors: [{ field: 'events/2', message: 'bad' }] }];
    expect(ingestResult(4, [0, 3], rejected)).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected,
      results: ['accepted', 'duplicate', 'rejected', 'accepted'],
    });
  });
});

const stored = (e: Partial<StoredEvent>): StoredEvent => ({
  dispenserId: call.dispenserId,
  team: 'east',
  citizenId: 'cit_now',
  eventId: 'e',
  type: 'heartbeat',
  occurredAt: '2026-11-23T07:00:00.000Z',
  receivedAt: '2026-11-23T12:00:00.000Z',
  requestId: 'req-1',
  ...e,
});

describe('planning what stored events derive', () => {
  it('adds takes to their dose, hours to their day, keeps the earliest fault and one audit per post', () => {
    const plan = planDerivation([
      stored({
        eventId: 't',
        type: 'dose_taken',
        doseAt: '2026-11-23T07:00:00.000Z',
        occurredAt: '2026-11-23T07:10:00.000Z',
      }),
      stored({
        eventId: 'j2',
        type: 'jammed',
        occurredAt: '2026-11-23T09:00:00.000Z',
        requestId: 'req-2',
        receivedAt: '2026-11-23T12:01:00.000Z',
      }),
      stored({ eventId: 'j1', type: 'jammed', occurredAt: '2026-11-23T08:00:00.000Z' }),
    ]);
    expect(plan.doses).toHaveLength(1);
    expect([...(plan.doses[0]?.sets.takenAts ?? [])]).toEqual(['2026-11-23T07:10:00.000Z']);
    expect(plan.seenDays).toEqual([{ citizenId: 'cit_now', date: '2026-11-23', hours: new Set(['07', '09', '08']) }]);
    expect(plan.faults.map(([fault, e]) => [fault, e.eventId])).toEqual([['jammed', 'j1']]);
    expect(plan.latestReceivedAt).toBe('2026-11-23T12:01:00.000Z');
    expect(plan.posts.map((e) => e.requestId).sort()).toEqual(['req-1', 'req-2']);
  });

  it('raises a missed dose only without a take, and clears a raised one when a take arrives', () => {
    expect(doseAlertAction({ missedAts: new Set(['x']) })).toBe('raise');
    expect(doseAlertAction({ missedAts: new Set(['x']), alertRaisedAt: 'then' })).toBeUndefined();
    expect(doseAlertAction({ takenAts: new Set(['x']), missedAts: new Set(['y']) })).toBeUndefined();
    expect(doseAlertAction({ takenAts: new Set(['x']), alertRaisedAt: 'then' })).toBe('resolve');
  });

  it('rewrites the contact time only after a minute, unless a silence alert waits to be forgotten', () => {
    const at = '2026-11-23T12:00:30.000Z';
    expect(contactNeedsWrite({ lastContactAt: '2026-11-23T12:00:00.000Z' }, at)).toBe(false);
    expect(contactNeedsWrite({ lastContactAt: '2026-11-23T11:59:00.000Z' }, at)).toBe(true);
    expect(contactNeedsWrite({ lastContactAt: '2026-11-23T12:00:00.000Z', silentAlertKey: 'k' }, at)).toBe(true);
    expect(contactNeedsWrite({}, at)).toBe(true);
  });
});

describe('reviewing what was accepted on a cached dispenser item', () => {
  const issued = {
    credentialIssuedAt: '2026-11-23T11:00:00.000Z',
    previousCredentialIssuedAt: '2026-11-01T00:00:00.000Z',
  };
  const stored = { ...device, ...issued } as DispenserItem;
  const event = (over: Partial<StoredEvent>): StoredEvent => ({
    dispenserId: call.dispenserId,
    team: 'east',
    citizenId: 'cit_now',
    eventId: 'e1',
    type: 'heartbeat',
    occurredAt: '2026-11-23T10:00:00.000Z',
    receivedAt: '2026-11-23T11:30:00.000Z',
    requestId: 'req-1',
    credentialIssuedAt: issued.credentialIssuedAt,
    decidedFromCache: true,
    ...over,
  });
  const review = (e: StoredEvent) => reviewCachedDecisions([e], stored, 'Europe/Copenhagen');

  it('lets an event with the current credential and the right citizen stand as stored', () => {
    const e = event({});
    expect(review(e)).toEqual({ events: [e], corrected: [], refused: [] });
  });

  it('keeps an event let in by the replaced credential before the replacement, refuses one after', () => {
    const before = event({
      credentialIssuedAt: issued.previousCredentialIssuedAt,
      receivedAt: '2026-11-23T10:59:59.000Z',
    });
    const after = event({
      credentialIssuedAt: issued.previousCredentialIssuedAt,
      receivedAt: '2026-11-23T11:00:01.000Z',
    });
    expect(review(before).events).toEqual([before]);
    expect(review(after).refused).toEqual([{ event: after, reason: 'credential-replaced' }]);
  });

  it('refuses a credential two replacements old, whenever it came in', () => {
    const older = event({ credentialIssuedAt: '2026-10-01T00:00:00.000Z', receivedAt: '2026-10-15T00:00:00.000Z' });
    expect(review(older).refused.map((r) => r.reason)).toEqual(['credential-replaced']);
    expect(credentialValidAt(stored, older)).toBe(false);
  });

  it('places again on the citizen the stored periods give, or refuses when nobody had the dispenser', () => {
    const misplaced = event({ citizenId: 'cit_old' });
    expect(review(misplaced)).toMatchObject({
      events: [{ citizenId: 'cit_now' }],
      corrected: [{ citizenId: 'cit_now' }],
    });
    const between = event({ occurredAt: '2026-11-20T12:00:00.000Z', citizenId: 'cit_now' });
    expect(review(between).refused.map((r) => r.reason)).toEqual(['not-assigned']);
  });

  it('leaves events decided on a read of their own post alone, and refuses cached ones of an unknown dispenser', () => {
    const read = event({ decidedFromCache: undefined, citizenId: 'cit_old' });
    expect(review(read).events).toEqual([read]);
    expect(reviewCachedDecisions([event({})], undefined, 'Europe/Copenhagen').refused).toHaveLength(1);
  });
});
