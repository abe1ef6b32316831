import { beforeAll, describe, expect, it } from 'vitest';
import { dispenserKeys } from '#shared/table/keys.ts';
import { getItem, type Table } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  citizenWithApprovedMedication,
  citizenWithDispenser,
  eventId,
  postEvents,
  type DispenserWorld,
  dispenserWorld,
} from './support.ts';

/**
 * A device that posts event by event costs one DynamoDB request per post: its dispenser item,
 * read by its first post, is reused for a few seconds (DEVICE_CACHE_SECONDS). On AWS the
 * DeviceEvents function and the function that changes dispensers are different containers, so a
 * change made elsewhere reaches the cache only when its entry expires. These tests run two apps
 * on one DynamoDB Local table, as those two containers: `device` serves the dispenser and runs
 * the table's stream; `office` is where staff replace credentials and reassign dispensers.
 */
const clock = new FixedClock(new Date('2026-11-22T12:00:00Z'));
let device: TestApp;
let office: TestApp;
let w: DispenserWorld;

beforeAll(async () => {
  device = await createTestApp({ clock });
  office = await createTestApp({ clock, config: { TABLE_NAME: device.config.TABLE_NAME } });
  w = await dispenserWorld(office);
});

/** The DynamoDB commands a piece of work sends through this app's table client. */
async function commandsOf(table: Table, work: () => Promise<unknown>): Promise<string[]> {
  const db = table.db as unknown as { send: (command: object, ...rest: unknown[]) => Promise<unknown> };
  const send = db.send;
  const seen: string[] = [];
  db.send = (command, ...rest) => {
    seen.push(command.constructor.name.replace(/Command$/, ''));
    return send.call(db, command, ...rest);
  };
  try {
    await work();
  } finally {
    db.send = send;
  }
  return seen;
}

const rawEvent = (dispenserId: string, id: string) =>
  getItem(device.deps.table, dispenserKeys.rawEvent(dispenserId, id), { consistent: true });

const seenHours = async (citizenId: string, date: string) =>
  ((await getItem(device.deps.table, dispenserKeys.seenDay(citizenId, date), { consistent: true }))?.hours as
    Set<string> | undefined) ?? new Set<string>();

/** Staff in the other container: the dispenser's credential replaced. */
async function replaceCredentialElsewhere(dispenserId: string): Promise<string> {
  const res = await office.call('POST', `/dispensers/${dispenserId}/credential`, { as: w.staff, drain: false });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.credential as string;
}

async function equippedCitizen() {
  clock.set('2026-11-22T12:00:00Z');
  const equipped = await citizenWithDispenser(office, w, { times: ['08:00'], validFrom: '2026-11-23' });
  await device.drain();
  clock.set('2026-11-23T12:00:00Z');
  return equipped;
}

const heartbeat = (occurredAt: string) => ({ eventId: eventId('hb'), type: 'heartbeat', occurredAt });

describe('a device posting event by event', () => {
  it('reads its dispenser with its first post; the next posts are one conditional write each', async () => {
    const equipped = await equippedCitizen();
    const first = await commandsOf(device.deps.table, () =>
      postEvents(device, equipped, [heartbeat('2026-11-23T10:00:00Z')]).then((r) => expect(r.status).toBe(202)),
    );
    const second = await commandsOf(device.deps.table, async () => {
      const res = await device.call('POST', `/dispensers/${equipped.dispenserId}/events`, {
        headers: { authorization: `Bearer ${equipped.credential}` },
        body: { events: [heartbeat('2026-11-23T11:00:00Z')] },
        drain: false,
      });
      expect(res.body).toMatchObject({ accepted: 1, results: ['accepted'] });
    });
    expect(first.slice(0, 2)).toEqual(['BatchGet', 'Put']);
    expect(second).toEqual(['Put']);
    await device.drain();
    expect([...(await seenHours(equipped.citizenId, '2026-11-23'))].sort()).toEqual(['10', '11']);
  });

  it('a repeat of a stored event is still told a duplicate, with no read', async () => {
    const equipped = await equippedCitizen();
    const event = heartbeat('2026-11-23T10:30:00Z');
    expect((await postEvents(device, equipped, [event])).body.results).toEqual(['accepted']);
    const again = await postEvents(device, equipped, [event]);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, results: ['duplicate'] });
  });

  it('a wrong credential is refused even while the dispenser is cached', async () => {
    const equipped = await equippedCitizen();
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T10:00:00Z')])).status).toBe(202);
    const wrong = `${equipped.dispenserId}.${'x'.repeat(43)}`;
    const res = await postEvents(device, equipped, [heartbeat('2026-11-23T10:01:00Z')], wrong);
    expect(res.status).toBe(401);
  });
});

describe('a credential replaced', () => {
  it('in the same process stops working at once', async () => {
    const equipped = await equippedCitizen();
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T10:00:00Z')])).status).toBe(202);
    const res = await device.call('POST', `/dispensers/${equipped.dispenserId}/credential`, { as: w.staff });
    expect(res.status).toBe(201);
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T10:01:00Z')])).status).toBe(401);
    const renewed = { ...equipped, credential: res.body.credential as string };
    expect((await postEvents(device, renewed, [heartbeat('2026-11-23T10:02:00Z')])).status).toBe(202);
  });

  it('by another container: what the stale entry lets in is never counted, and the entry expires', async () => {
    const equipped = await equippedCitizen();
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T09:00:00Z')])).status).toBe(202);
    clock.set('2026-11-23T12:00:01Z');
    const renewed = { ...equipped, credential: await replaceCredentialElsewhere(equipped.dispenserId) };

    // Within DEVICE_CACHE_SECONDS this container still takes the old credential...
    clock.set('2026-11-23T12:00:05Z');
    const stale = heartbeat('2026-11-23T11:30:00Z');
    const accepted = await postEvents(device, equipped, [stale]);
    expect(accepted.body.results).toEqual(['accepted']);
    // ...but the derivation checks it against the dispenser as stored: refused, nothing derived.
    expect((await rawEvent(equipped.dispenserId, stale.eventId))?.refused).toBe('credential-replaced');
    expect([...(await seenHours(equipped.citizenId, '2026-11-23'))]).toEqual(['09']);

    clock.set('2026-11-23T12:00:40Z');
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T11:40:00Z')])).status).toBe(401);
    expect((await postEvents(device, renewed, [heartbeat('2026-11-23T11:45:00Z')])).status).toBe(202);
    expect([...(await seenHours(equipped.citizenId, '2026-11-23'))].sort()).toEqual(['09', '11']);
  });

  it('after an event came in with the old one, and before it was derived: the event counts', async () => {
    const equipped = await equippedCitizen();
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T08:00:00Z')])).status).toBe(202);
    const early = heartbeat('2026-11-23T10:00:00Z');
    const res = await device.call('POST', `/dispensers/${equipped.dispenserId}/events`, {
      headers: { authorization: `Bearer ${equipped.credential}` },
      body: { events: [early] },
      drain: false,
    });
    expect(res.body.results).toEqual(['accepted']);
    clock.set('2026-11-23T12:00:01Z');
    await replaceCredentialElsewhere(equipped.dispenserId);
    await device.drain();
    expect((await rawEvent(equipped.dispenserId, early.eventId))?.refused).toBeUndefined();
    expect([...(await seenHours(equipped.citizenId, '2026-11-23'))].sort()).toEqual(['08', '10']);
  });
});

describe('a dispenser reassigned by another container', () => {
  it('an event the stale entry placed on the former citizen is derived for the citizen who has it', async () => {
    const equipped = await equippedCitizen();
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T09:00:00Z')])).status).toBe(202);

    clock.set('2026-11-23T12:00:01Z');
    const back = await office.call('DELETE', `/dispensers/${equipped.dispenserId}/assignment`, { as: w.staff });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    clock.set('2026-11-22T12:00:00Z');
    const next = await citizenWithApprovedMedication(office, w, { times: ['08:00'], startDate: '2026-11-23' });
    const plan = await office.call('PUT', `/citizens/${next.citizenId}/dose-plan`, {
      as: w.staff,
      body: { times: ['08:00'], validFrom: '2026-11-23' },
      drain: false,
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    clock.set('2026-11-23T12:00:02Z');
    const assign = await office.call('PUT', `/dispensers/${equipped.dispenserId}/assignment`, {
      as: w.staff,
      body: { citizenId: next.citizenId, status: 'active' },
      drain: false,
    });
    expect(assign.status, JSON.stringify(assign.body)).toBe(200);

    clock.set('2026-11-23T12:00:06Z');
    const after = heartbeat('2026-11-23T12:00:04Z');
    expect((await postEvents(device, equipped, [after])).body.results).toEqual(['accepted']);
    expect((await rawEvent(equipped.dispenserId, after.eventId))?.citizenId).toBe(next.citizenId);
    expect([...(await seenHours(next.citizenId, '2026-11-23'))]).toEqual(['12']);
    expect([...(await seenHours(equipped.citizenId, '2026-11-23'))]).toEqual(['09']);
  });

  it('an event from when nobody had the dispenser is refused on review', async () => {
    const equipped = await equippedCitizen();
    expect((await postEvents(device, equipped, [heartbeat('2026-11-23T09:00:00Z')])).status).toBe(202);
    clock.set('2026-11-23T12:00:01Z');
    const back = await office.call('DELETE', `/dispensers/${equipped.dispenserId}/assignment`, {
      as: w.staff,
      drain: false,
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    clock.set('2026-11-23T12:00:06Z');
    const unassigned = heartbeat('2026-11-23T12:00:03Z');
    expect((await postEvents(device, equipped, [unassigned])).body.results).toEqual(['accepted']);
    expect((await rawEvent(equipped.dispenserId, unassigned.eventId))?.refused).toBe('not-assigned');
    expect([...(await seenHours(equipped.citizenId, '2026-11-23'))]).toEqual(['09']);
  });
});
