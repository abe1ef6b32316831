import { beforeAll, describe, expect, it } from 'vitest';
import { dispenserKeys } from '#shared/table/keys.ts';
import { getItem } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { citizenWithDispenser, eventId, postEvents, type DispenserWorld, dispenserWorld } from './support.ts';

/**
 * A device that sends one event per post (as most do) and a second post of the same event id
 * with other content, both in flight at once, against the real DynamoDB Local: the first write
 * wins, the stored copy is never replaced, and each answer says what became of its event.
 */
const clock = new FixedClock(new Date('2026-11-22T12:00:00Z'));
let t: TestApp;
let w: DispenserWorld;

beforeAll(async () => {
  t = await createTestApp({ clock });
  w = await dispenserWorld(t);
});

describe('two posts of one event id at the same moment', () => {
  it('store the first write only: one is accepted, the other told the id is taken', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, { times: ['08:00'], validFrom: '2026-11-23' });
    clock.set('2026-11-23T12:00:00Z');
    for (let round = 0; round < 5; round++) {
      const id = eventId('race');
      const heartbeat = { eventId: id, type: 'heartbeat', occurredAt: '2026-11-23T10:00:00Z' };
      const jammed = { eventId: id, type: 'jammed', occurredAt: '2026-11-23T10:05:00Z' };
      const answers = await Promise.all([postEvents(t, device, [heartbeat]), postEvents(t, device, [jammed])]);
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      const winner = answers.findIndex((a) => a.body.accepted === 1);
      const loser = answers[1 - winner];
      expect(winner).toBeGreaterThanOrEqual(0);
      expect(loser?.body).toMatchObject({ accepted: 0, duplicates: 0, results: ['rejected'] });
      expect(loser?.body.rejected[0].errors[0]).toEqual({
        field: 'events/0/eventId',
        message: 'was already used for a different event',
      });
      const stored = await getItem(t.deps.table, dispenserKeys.rawEvent(device.dispenserId, id), { consistent: true });
      expect(stored?.type).toBe([heartbeat, jammed][winner]?.type);
    }
  });

  it('of the same content: one accepted, the other a duplicate, stored once', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, { times: ['08:00'], validFrom: '2026-11-23' });
    clock.set('2026-11-23T12:00:00Z');
    const event = { eventId: eventId('same'), type: 'heartbeat', occurredAt: '2026-11-23T11:00:00Z' };
    const answers = await Promise.all([postEvents(t, device, [event]), postEvents(t, device, [event])]);
    expect(answers.map((a) => a.body.results[0]).sort()).toEqual(['accepted', 'duplicate']);
    expect(answers.map((a) => a.body.duplicates).sort()).toEqual([0, 1]);
  });
});
