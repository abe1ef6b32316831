import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { book, newCitizen, purpose, setAvailability, visitActors, type VisitActors } from './visit-helpers.ts';

let t: TestApp;
let as: VisitActors;
let karen: string;
let jens: string;

// Anna: Mondays 08:00–10:00 and 18:00–20:00, Sundays 09:00–10:00. Bo: Mondays 09:00–10:00 and 18:00–18:30.
const annas = {
  weekly: [
    { weekday: 1, start: '08:00', end: '10:00' },
    { weekday: 1, start: '18:00', end: '20:00' },
    { weekday: 7, start: '09:00', end: '10:00' },
  ],
  exceptions: [],
};
const bos = {
  weekly: [
    { weekday: 1, start: '09:00', end: '10:00' },
    { weekday: 1, start: '18:00', end: '18:30' },
  ],
  exceptions: [],
};

beforeAll(async () => {
  // Monday 19 October 2026, 07:00 in Copenhagen; the clocks go back on Sunday the 25th.
  t = await createTestApp({
    clock: new FixedClock(new Date('2026-10-19T05:00:00Z')),
    config: { VISIT_BUFFER_MINUTES: 10, VISIT_BUFFER_MINUTES_BY_TEAM: 'west=0' },
  });
  as = await visitActors(t);
  karen = await newCitizen(t, as.assessor, 'Karen');
  jens = await newCitizen(t, as.assessor, 'Jens');
  await setAvailability(t, as.anna, 'stf-anna', annas);
  await setAvailability(t, as.bo, 'stf-bo', bos);
});

const startsOf = (body: { slots: { start: string; staffId: string }[] }) =>
  body.slots.map((s) => `${s.staffId} ${s.start.slice(11, 16)}`);

describe('free time for booking', () => {
  it('a staff member sees their free slots on a day, kept clear of their booked visit by the buffer', async () => {
    await book(t, as.anna, {
      citizenId: jens,
      staffId: 'stf-anna',
      start: '2026-10-19T08:30:00+02:00',
      durationMinutes: 30,
    });
    const res = await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19&durationMinutes=30&stepMinutes=30', {
      as: as.anna,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: 'Europe/Copenhagen',
      bufferMinutes: 10,
      durationMinutes: 30,
      truncated: false,
      from: '2026-10-19T00:00:00.000+02:00',
    });
    // 08:00–08:30 would end inside the 10-minute buffer before 08:30; 09:00 starts inside the one after it.
    expect(startsOf(res.body)).toEqual([
      'stf-anna 09:30',
      'stf-anna 18:00',
      'stf-anna 18:30',
      'stf-anna 19:00',
      'stf-anna 19:30',
    ]);
    expect(res.body.free).toContainEqual({
      staffId: 'stf-anna',
      start: '2026-10-19T09:10:00.000+02:00',
      end: '2026-10-19T10:00:00.000+02:00',
    });
  });

  it('answers a week across the change to winter time with the wall-clock Sunday window', async () => {
    const res = await t.call('GET', '/staff/stf-anna/free-slots?week=2026-W43&durationMinutes=60&stepMinutes=60', {
      as: as.anna,
    });
    expect(res.status).toBe(200);
    expect(res.body.slots.at(-1)).toEqual({
      staffId: 'stf-anna',
      start: '2026-10-25T09:00:00.000+01:00',
      end: '2026-10-25T10:00:00.000+01:00',
    });
    expect(res.body.to).toBe('2026-10-26T00:00:00.000+01:00');
  });

  it('the team’s free slots for a citizen leave out the times the citizen is already booked', async () => {
    await book(t, as.bo, {
      citizenId: karen,
      staffId: 'stf-bo',
      start: '2026-10-19T18:00:00+02:00',
      durationMinutes: 30,
    });
    const res = await t.call(
      'GET',
      `/teams/east/free-slots?citizenId=${karen}&date=2026-10-19&durationMinutes=30&stepMinutes=30`,
      { as: as.anna },
    );
    expect(res.status).toBe(200);
    // Bo is free 09:00–10:00; Anna's morning is around her visit; Karen is busy 18:00–18:30 (+10).
    expect(startsOf(res.body)).toEqual([
      'stf-bo 09:00',
      'stf-anna 09:30',
      'stf-bo 09:30',
      'stf-anna 19:00',
      'stf-anna 19:30',
    ]);
    const forOne = await t.call(
      'GET',
      `/staff/stf-anna/free-slots?citizenId=${karen}&date=2026-10-19&durationMinutes=30&stepMinutes=30`,
      { as: as.anna },
    );
    expect(startsOf(forOne.body)).toEqual(['stf-anna 09:30', 'stf-anna 19:00', 'stf-anna 19:30']);
    const audit = await t.call('GET', `/audit?citizenId=${karen}`, { as: await t.token('admin', 'adm-1', 'east') });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'visit.read',
        resource: expect.stringMatching(new RegExp(`^citizens/${karen}/visits`)),
      }),
    );
  });

  it('two staff book the one advised slot at once: one 201, one 409, and the slot is gone from the advice', async () => {
    const advice = await t.call(
      'GET',
      `/teams/east/free-slots?citizenId=${jens}&date=2026-10-19&durationMinutes=30&stepMinutes=30`,
      { as: as.lead },
    );
    const slot = advice.body.slots.find((s: { staffId: string }) => s.staffId === 'stf-anna');
    expect(slot).toBeDefined();
    const body = { citizenId: jens, staffId: 'stf-anna', start: slot.start, durationMinutes: 30, purpose };
    const [a, b] = await Promise.all([
      t.call('POST', '/visits', { as: as.anna, body }),
      t.call('POST', '/visits', { as: as.lead, body }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)?.body.reason).toMatch(/double-booked/);
    const after = await t.call('GET', `/staff/stf-anna/free-slots?date=2026-10-19&durationMinutes=30&stepMinutes=30`, {
      as: as.anna,
    });
    expect(after.body.slots.map((s: { start: string }) => s.start)).not.toContain(slot.start);
  });

  it('another team sees nothing: 404 for the staff member, the team and the citizen', async () => {
    expect((await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19', { as: as.westStaff })).status).toBe(404);
    expect(
      (await t.call('GET', `/teams/east/free-slots?citizenId=${karen}&date=2026-10-19`, { as: as.westLead })).status,
    ).toBe(404);
    expect(
      (await t.call('GET', `/teams/west/free-slots?citizenId=${karen}&date=2026-10-19`, { as: as.westLead })).status,
    ).toBe(404);
    expect((await t.call('GET', '/staff/stf-nobody/free-slots?date=2026-10-19', { as: as.anna })).status).toBe(404);
    expect((await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19', { as: as.assessor })).status).toBe(403);
  });

  it('the lead who hands out visits finds the team’s staff in the directory, and another team does not', async () => {
    const res = await t.call('GET', '/teams/east/staff?limit=100', { as: as.lead });
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: { staffId: string }) => m.staffId)).toEqual(['lead-lis', 'stf-anna', 'stf-bo']);
    expect(res.body.items.find((m: { staffId: string }) => m.staffId === 'stf-anna')).toMatchObject({
      team: 'east',
      hasAvailability: true,
    });
    expect((await t.call('GET', '/teams/east/staff', { as: as.westLead })).status).toBe(404);
  });

  it('bad queries are 400 problems naming the field', async () => {
    const neither = await t.call('GET', '/staff/stf-anna/free-slots', { as: as.anna });
    expect(neither.status).toBe(400);
    expect(neither.body.errors[0].field).toBe('query/date');
    expect(
      (await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19&week=2026-W43', { as: as.anna })).status,
    ).toBe(400);
    expect((await t.call('GET', '/staff/stf-anna/free-slots?date=2026-02-30', { as: as.anna })).status).toBe(400);
    expect(
      (await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19&durationMinutes=7', { as: as.anna })).status,
    ).toBe(400);
    expect(
      (await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19&stepMinutes=90', { as: as.anna })).status,
    ).toBe(400);
    expect((await t.call('GET', '/teams/east/free-slots?date=2026-10-19', { as: as.anna })).status).toBe(400);
    expect((await t.call('GET', '/staff/stf-anna/free-slots?date=2026-10-19&colour=red', { as: as.anna })).status).toBe(
      400,
    );
  });
});
