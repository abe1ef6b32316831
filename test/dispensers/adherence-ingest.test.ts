import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#shared/app/job-registry.ts';
import { MAX_EVENTS_PER_BATCH } from '#shared/dispensers/model.ts';
import { dispenserKeys } from '#shared/table/keys.ts';
import { getItem } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  citizenWithDispenser,
  eventId,
  postEvents,
  registerDispenser,
  type DispenserWorld,
  dispenserWorld,
} from './support.ts';

/**
 * The required workflow: a dispenser posts a day of events for a three-dose plan (08:00,
 * 13:00, 20:00 in Copenhagen, UTC+1 in November): one dose taken on time, one late, one never.
 */
const clock = new FixedClock(new Date('2026-11-22T12:00:00Z'));
let t: TestApp;
let w: DispenserWorld;
const plan = { times: ['08:00', '13:00', '20:00'], validFrom: '2026-11-23' };
const evening = new Date('2026-11-23T22:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ clock });
  w = await dispenserWorld(t);
});

/** The device's day: hourly heartbeats, each dose dispensed, the first taken on time, the second late, the third never. */
function threeDoseDay(label: string) {
  const events: Record<string, unknown>[] = [];
  for (let hour = 6; hour <= 21; hour++) {
    events.push({
      eventId: eventId(`${label}-hb`),
      type: 'heartbeat',
      occurredAt: `2026-11-23T${String(hour).padStart(2, '0')}:00:00Z`,
    });
  }
  events.push(
    {
      eventId: eventId(`${label}-d1`),
      type: 'dose_dispensed',
      occurredAt: '2026-11-23T08:00:30+01:00',
      scheduledFor: '2026-11-23T08:00:00+01:00',
    },
    {
      eventId: eventId(`${label}-t1`),
      type: 'dose_taken',
      occurredAt: '2026-11-23T08:12:00+01:00',
      scheduledFor: '2026-11-23T08:00:00+01:00',
    },
    {
      eventId: eventId(`${label}-d2`),
      type: 'dose_dispensed',
      occurredAt: '2026-11-23T12:00:30Z',
      details: { tray: 2 },
    },
    // No scheduledFor: matched to the latest planned dose before it (13:00), 100 minutes late.
    { eventId: eventId(`${label}-t2`), type: 'dose_taken', occurredAt: '2026-11-23T13:40:00Z' },
    {
      eventId: eventId(`${label}-d3`),
      type: 'dose_dispensed',
      occurredAt: '2026-11-23T19:00:30Z',
      scheduledFor: '2026-11-23T19:00:00Z',
    },
  );
  return events;
}

async function adherenceOf(citizenId: string) {
  const res = await t.call('GET', `/citizens/${citizenId}/adherence?from=2026-11-23&to=2026-11-23`, { as: w.staff });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function missedDoseAlerts(citizenId: string) {
  const res = await t.call('GET', `/alerts?citizenId=${citizenId}&status=open`, { as: w.staff });
  expect(res.status).toBe(200);
  return (res.body.items as { kind: string; dedupKey: string }[]).filter((a) => a.kind === 'missed_dose');
}

describe('a dispenser registered, assigned and posting a three-dose day', () => {
  let device: Awaited<ReturnType<typeof citizenWithDispenser>>;
  let batch: Record<string, unknown>[];

  beforeAll(async () => {
    clock.set('2026-11-22T12:00:00Z');
    device = await citizenWithDispenser(t, w, plan);
    batch = threeDoseDay('day');
    clock.set(evening);
  });

  it('accepts the batch with 202 and stores every event', async () => {
    const res = await postEvents(t, device, batch);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: batch.length,
      duplicates: 0,
      rejected: [],
      results: batch.map(() => 'accepted'),
    });
  });

  it('shows on time, late and missed in the adherence, and the rates', async () => {
    const body = await adherenceOf(device.citizenId);
    expect(body.doses.map((d: { time: string; outcome: string }) => [d.time, d.outcome])).toEqual([
      ['08:00', 'taken_on_time'],
      ['13:00', 'taken_late'],
      ['20:00', 'missed'],
    ]);
    expect(body.doses[0]).toMatchObject({
      scheduledFor: '2026-11-23T07:00:00.000Z',
      takenAt: '2026-11-23T07:12:00.000Z',
    });
    expect(body.doses[1]).toMatchObject({ scheduledFor: '2026-11-23T12:00:00.000Z', minutesLate: 100 });
    expect(body.counts).toEqual({
      planned: 3,
      taken_on_time: 1,
      taken_late: 1,
      missed: 1,
      no_data: 0,
      pending: 0,
      paused: 0,
    });
    expect(body.rates).toEqual({ decided: 3, onTime: 0.3333, taken: 0.6667, missed: 0.3333, noData: 0 });
  });

  it('raises one alert for the missed dose once the detection job runs, however often it runs', async () => {
    expect(await missedDoseAlerts(device.citizenId)).toHaveLength(0);
    await runJob(t.deps, 'detect-missed-doses');
    await runJob(t.deps, 'detect-missed-doses');
    clock.advanceMinutes(5);
    await runJob(t.deps, 'detect-missed-doses');
    const alerts = await missedDoseAlerts(device.citizenId);
    expect(alerts.map((a) => a.dedupKey)).toEqual([`missed_dose#${device.citizenId}#2026-11-23T19:00:00.000Z`]);
    expect(t.deps.events.ofType('DoseMissed').filter((e) => e.detail.citizenId === device.citizenId)).toHaveLength(1);
    clock.set(evening);
  });

  it('changes nothing when the same batch is posted three times', async () => {
    const before = await adherenceOf(device.citizenId);
    for (let i = 0; i < 2; i++) {
      const res = await postEvents(t, device, batch);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        accepted: 0,
        duplicates: batch.length,
        rejected: [],
        results: batch.map(() => 'duplicate'),
      });
    }
    expect(await adherenceOf(device.citizenId)).toEqual(before);
    await runJob(t.deps, 'detect-missed-doses');
    expect(await missedDoseAlerts(device.citizenId)).toHaveLength(1);
  });

  it('counts a repeat inside one batch as a duplicate, stored once', async () => {
    const hb = { eventId: eventId('rep'), type: 'heartbeat', occurredAt: '2026-11-23T21:30:00Z' };
    const res = await postEvents(t, device, [hb, hb]);
    expect(res.body).toEqual({ accepted: 1, duplicates: 1, rejected: [], results: ['accepted', 'duplicate'] });
  });
});

describe('events out of order', () => {
  it('give the same adherence when a day is posted in reverse, split over batches', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set(evening);
    const reversed = threeDoseDay('rev').reverse();
    const first = await postEvents(t, device, reversed.slice(0, 10));
    const second = await postEvents(t, device, reversed.slice(10));
    expect(first.body.accepted + second.body.accepted).toBe(reversed.length);
    const body = await adherenceOf(device.citizenId);
    expect(body.doses.map((d: { outcome: string }) => d.outcome)).toEqual(['taken_on_time', 'taken_late', 'missed']);
    expect(body.doses[1].minutesLate).toBe(100);
  });

  it('keeps the earliest take: a later repeat with another id does not make a dose late', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set(evening);
    await postEvents(t, device, [
      {
        eventId: eventId('late'),
        type: 'dose_taken',
        occurredAt: '2026-11-23T10:30:00+01:00',
        scheduledFor: '2026-11-23T08:00:00+01:00',
      },
    ]);
    await postEvents(t, device, [
      {
        eventId: eventId('early'),
        type: 'dose_taken',
        occurredAt: '2026-11-23T08:05:00+01:00',
        scheduledFor: '2026-11-23T08:00:00+01:00',
      },
    ]);
    const body = await adherenceOf(device.citizenId);
    expect(body.doses[0]).toMatchObject({ outcome: 'taken_on_time', takenAt: '2026-11-23T07:05:00.000Z' });
  });
});

describe('a batch with bad events', () => {
  it('stores the good ones and names each bad one by index', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set(evening);
    const good1 = {
      eventId: eventId('ok'),
      type: 'dose_taken',
      occurredAt: '2026-11-23T08:03:00+01:00',
      scheduledFor: '2026-11-23T08:00:00+01:00',
    };
    const bad = { eventId: eventId('bad'), type: 'exploded', occurredAt: '2026-11-23T09:00:00Z' };
    const good2 = { eventId: eventId('ok'), type: 'heartbeat', occurredAt: '2026-11-23T09:00:00Z' };
    const res = await postEvents(t, device, [good1, bad, good2]);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toEqual([
      { index: 1, eventId: bad.eventId, errors: [expect.objectContaining({ field: 'events/1/type' })] },
    ]);
    const stored = await getItem(t.deps.table, dispenserKeys.rawEvent(device.dispenserId, good2.eventId));
    expect(stored).toMatchObject({
      type: 'heartbeat',
      citizenId: device.citizenId,
      occurredAt: '2026-11-23T09:00:00.000Z',
    });
    expect(await getItem(t.deps.table, dispenserKeys.rawEvent(device.dispenserId, bad.eventId))).toBeUndefined();
    expect((await adherenceOf(device.citizenId)).doses[0].outcome).toBe('taken_on_time');
  });

  it('rejects events far in the future, before the assignment, with unknown fields, or reusing an id for another event', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set(evening);
    const reused = { eventId: eventId('reuse'), type: 'heartbeat', occurredAt: '2026-11-23T10:00:00Z' };
    await postEvents(t, device, [reused]);
    const res = await postEvents(t, device, [
      { eventId: eventId('future'), type: 'heartbeat', occurredAt: '2026-11-23T22:11:00Z' },
      { eventId: eventId('soon'), type: 'heartbeat', occurredAt: '2026-11-23T22:09:00Z' },
      { eventId: eventId('before'), type: 'heartbeat', occurredAt: '2026-11-22T11:00:00Z' },
      { eventId: eventId('extra'), type: 'heartbeat', occurredAt: '2026-11-23T10:00:00Z', battery: 80 },
      { ...reused, type: 'jammed' },
      'not an object',
    ]);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(
      res.body.rejected.map((r: { index: number; errors: { field: string }[] }) => [r.index, r.errors[0]?.field]),
    ).toEqual([
      [0, 'events/0/occurredAt'],
      [2, 'events/2/occurredAt'],
      [3, 'events/3'],
      [4, 'events/4/eventId'],
      [5, 'events/5'],
    ]);
    expect(res.body.rejected[1].errors[0].message).toMatch(/not assigned/);
  });

  it(`refuses more than ${MAX_EVENTS_PER_BATCH} events with 413 and stores none`, async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set(evening);
    const events = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, (_, i) => ({
      eventId: `big-${i}`,
      type: 'heartbeat',
      occurredAt: '2026-11-23T12:00:00Z',
    }));
    const res = await postEvents(t, device, events);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await getItem(t.deps.table, dispenserKeys.rawEvent(device.dispenserId, 'big-0'))).toBeUndefined();
  });

  it('refuses a body that is not a batch with 400', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    const res = await t.call('POST', `/dispensers/${device.dispenserId}/events`, {
      headers: { authorization: `Bearer ${device.credential}` },
      body: { event: [] },
    });
    expect(res.status).toBe(400);
  });
});

describe('device credentials', () => {
  it('refuses another device’s credential, a wrong one, a missing one and a revoked one, and stores nothing', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    const other = await registerDispenser(t, w.staff);
    clock.set(evening);
    const hb = { eventId: eventId('cred'), type: 'heartbeat', occurredAt: '2026-11-23T21:00:00Z' };

    const foreign = await postEvents(t, device, [hb], other.credential);
    expect(foreign.status).toBe(403);
    const forged = await postEvents(t, device, [hb], `${device.dispenserId}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
    const none = await t.call('POST', `/dispensers/${device.dispenserId}/events`, { body: { events: [hb] } });
    expect(none.status).toBe(401);
    const userToken = await postEvents(t, device, [hb], w.staff);
    expect(userToken.status).toBe(401);

    const reissued = await t.call('POST', `/dispensers/${device.dispenserId}/credential`, { as: w.staff });
    expect(reissued.status).toBe(201);
    expect((await postEvents(t, device, [hb])).status).toBe(401);
    expect(await getItem(t.deps.table, dispenserKeys.rawEvent(device.dispenserId, hb.eventId))).toBeUndefined();

    const fresh = await postEvents(t, device, [hb], reissued.body.credential);
    expect(fresh.status).toBe(202);
    expect(fresh.body.accepted).toBe(1);
  });

  it('never shows the credential or its hash when the dispenser is read', async () => {
    const device = await registerDispenser(t, w.staff);
    const res = await t.call('GET', `/dispensers/${device.dispenserId}`, { as: w.staff });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(device.credential.split('.')[1]);
    expect(res.body.credentialHash).toBeUndefined();
  });
});

describe('alerts from what the device says', () => {
  it('raises a missed-dose alert when the device reports dose_missed, and a late take clears it', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set('2026-11-23T08:30:00Z');
    await postEvents(t, device, [
      {
        eventId: eventId('miss'),
        type: 'dose_missed',
        occurredAt: '2026-11-23T08:15:00Z',
        scheduledFor: '2026-11-23T08:00:00+01:00',
      },
    ]);
    expect(await missedDoseAlerts(device.citizenId)).toHaveLength(1);
    await postEvents(t, device, [
      {
        eventId: eventId('late'),
        type: 'dose_taken',
        occurredAt: '2026-11-23T08:25:00Z',
        scheduledFor: '2026-11-23T08:00:00+01:00',
      },
    ]);
    expect(await missedDoseAlerts(device.citizenId)).toHaveLength(0);
    const resolved = await t.call('GET', `/alerts?citizenId=${device.citizenId}&status=resolved`, { as: w.staff });
    expect(resolved.body.items).toHaveLength(1);
  });

  it('raises one fault alert per episode, however often the device repeats the fault', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set('2026-11-23T10:00:00Z');
    await postEvents(t, device, [
      { eventId: eventId('jam'), type: 'jammed', occurredAt: '2026-11-23T09:50:00Z' },
      { eventId: eventId('jam'), type: 'jammed', occurredAt: '2026-11-23T09:55:00Z' },
    ]);
    await postEvents(t, device, [{ eventId: eventId('jam'), type: 'jammed', occurredAt: '2026-11-23T09:58:00Z' }]);
    const res = await t.call('GET', `/alerts?citizenId=${device.citizenId}&status=open`, { as: w.staff });
    expect(res.body.items.filter((a: { kind: string }) => a.kind === 'device_fault')).toHaveLength(1);
    expect(t.deps.events.ofType('DeviceFault').filter((e) => e.detail.dispenserId === device.dispenserId)).toHaveLength(
      1,
    );
  });
});

describe('a silent device', () => {
  it('raises one alert per silence, not one per job run, and clears it when heard from again', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, { ...plan, validFrom: '2026-12-01' });
    clock.set('2026-11-23T06:00:00Z');
    expect(
      (await postEvents(t, device, [{ eventId: eventId('hb'), type: 'heartbeat', occurredAt: '2026-11-23T06:00:00Z' }]))
        .status,
    ).toBe(202);
    const silentAlerts = async (status: string) =>
      (
        (await t.call('GET', `/alerts?citizenId=${device.citizenId}&status=${status}`, { as: w.staff })).body.items as {
          kind: string;
        }[]
      ).filter((a) => a.kind === 'device_silent');

    clock.set('2026-11-23T08:59:00Z');
    await runJob(t.deps, 'detect-silent-devices');
    expect(await silentAlerts('open')).toHaveLength(0);

    for (let run = 0; run < 4; run++) {
      clock.advanceMinutes(15);
      await runJob(t.deps, 'detect-silent-devices');
    }
    expect(await silentAlerts('open')).toHaveLength(1);

    await postEvents(t, device, [{ eventId: eventId('hb'), type: 'heartbeat', occurredAt: clock.now().toISOString() }]);
    expect(await silentAlerts('open')).toHaveLength(0);
    expect(await silentAlerts('resolved')).toHaveLength(1);

    clock.advanceMinutes(4 * 60);
    await runJob(t.deps, 'detect-silent-devices');
    await runJob(t.deps, 'detect-silent-devices');
    expect(await silentAlerts('open')).toHaveLength(1);
  });

  it('reports doses around a silence as no_data, and the job still raises the missed dose', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set('2026-11-23T10:00:00Z');
    await runJob(t.deps, 'detect-missed-doses');
    const body = await adherenceOf(device.citizenId);
    expect(body.doses.map((d: { outcome: string }) => d.outcome)).toEqual(['no_data', 'pending', 'pending']);
    expect(body.rates).toMatchObject({ decided: 1, noData: 1 });
    expect(await missedDoseAlerts(device.citizenId)).toHaveLength(1);
  });

  it('keeps every hour a device was heard in, when a later batch repeats some hours and adds others', async () => {
    clock.set('2026-11-22T12:00:00Z');
    const device = await citizenWithDispenser(t, w, plan);
    clock.set('2026-11-23T09:00:00Z');
    const heartbeat = (at: string) => ({ eventId: eventId('hb'), type: 'heartbeat', occurredAt: at });
    await postEvents(t, device, [heartbeat('2026-11-23T06:05:00Z')]);
    // Only hours already recorded: the seen day is left as it is.
    await postEvents(t, device, [heartbeat('2026-11-23T06:10:00Z'), heartbeat('2026-11-23T06:15:00Z')]);
    // A recorded hour and a new one: the new one is added.
    await postEvents(t, device, [heartbeat('2026-11-23T06:20:00Z'), heartbeat('2026-11-23T07:20:00Z')]);
    const day = await getItem<{ hours: Set<string> }>(
      t.deps.table,
      dispenserKeys.seenDay(device.citizenId, '2026-11-23'),
      { consistent: true },
    );
    expect([...(day?.hours ?? [])].sort()).toEqual(['06', '07']);
  });
});
