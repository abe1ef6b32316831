import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { annasWeek, book, bosWeek, newCitizen, purpose, visitActors, type VisitActors } from './visit-helpers.ts';

let t: TestApp;
let as: VisitActors;
let karen: string;
let jens: string;

beforeAll(async () => {
  // Monday 19 October 2026, 08:00 in Copenhagen (summer time until Sunday the 25th).
  t = await createTestApp({ clock: new FixedClock(new Date('2026-10-19T06:00:00Z')) });
  as = await visitActors(t);
  karen = await newCitizen(t, as.assessor, 'Karen');
  jens = await newCitizen(t, as.assessor, 'Jens');
});

describe('self-scheduled availability', () => {
  it('a staff member sets availability for a week including an evening and a Sunday, and reads it back', async () => {
    const res = await t.call('PUT', '/staff/stf-anna/availability', { as: as.anna, body: annasWeek });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ staffId: 'stf-anna', team: 'east', timeZone: 'Europe/Copenhagen', version: 1 });
    expect(res.body.weekly).toContainEqual({ weekday: 1, start: '17:00', end: '21:00' });
    expect(res.body.weekly).toContainEqual({ weekday: 7, start: '09:00', end: '13:00' });
    const read = await t.call('GET', '/staff/stf-anna/availability', { as: as.anna });
    expect(read.status).toBe(200);
    expect(read.body.weekly).toEqual(res.body.weekly);
  });

  it('staff change only their own; a lead changes anyone’s in the team; another team’s lead does not see them', async () => {
    expect((await t.call('PUT', '/staff/stf-anna/availability', { as: as.bo, body: bosWeek })).status).toBe(403);
    const byLead = await t.call('PUT', '/staff/stf-bo/availability', { as: as.lead, body: bosWeek });
    expect(byLead.status).toBe(200);
    expect(byLead.body).toMatchObject({ staffId: 'stf-bo', team: 'east', updatedBy: 'lead-lis' });
    expect((await t.call('GET', '/staff/stf-bo/availability', { as: as.westLead })).status).toBe(404);
    expect((await t.call('PUT', '/staff/stf-bo/availability', { as: as.westLead, body: bosWeek })).status).toBe(404);
    expect((await t.call('PUT', '/staff/stf-anna/availability', { as: as.assessor, body: annasWeek })).status).toBe(
      403,
    );
  });

  it('refuses a window that ends before it starts, naming the field', async () => {
    const res = await t.call('PUT', '/staff/stf-anna/availability', {
      as: as.anna,
      body: { weekly: [{ weekday: 1, start: '21:00', end: '17:00' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'body/weekly/0/end' }));
  });
});

describe('booking', () => {
  it('books a visit inside the evening window and one on Sunday, and refuses one outside availability', async () => {
    const evening = await book(t, as.anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-10-19T19:00:00+02:00',
    });
    expect(evening).toMatchObject({
      status: 'scheduled',
      staffId: 'stf-anna',
      citizenId: karen,
      start: '2026-10-19T19:00:00.000+02:00',
      end: '2026-10-19T19:20:00.000+02:00',
      purpose,
      version: 1,
    });
    // Sunday 25 October is after the change to winter time: 09:00 is +01:00.
    const sunday = await book(t, as.anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-10-25T09:00:00+01:00',
    });
    expect(sunday.start).toBe('2026-10-25T09:00:00.000+01:00');

    const saturday = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId: karen, staffId: 'stf-anna', start: '2026-10-24T09:00:00+02:00', durationMinutes: 20, purpose },
    });
    expect(saturday.status).toBe(409);
    expect(saturday.body.reason).toBe('staff-unavailable');
    const pastWindowEnd = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId: karen, staffId: 'stf-anna', start: '2026-10-20T20:50:00+02:00', durationMinutes: 20, purpose },
    });
    expect(pastWindowEnd.body.reason).toBe('staff-unavailable');
    expect(t.deps.events.ofType('VisitBooked').map((e) => e.detail.visitId)).toEqual(
      expect.arrayContaining([evening.visitId, sunday.visitId]),
    );
  });

  it('refuses off-grid, past and over-long visits as bad input', async () => {
    const offGrid = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId: karen, staffId: 'stf-anna', start: '2026-10-20T08:03:00+02:00', durationMinutes: 20, purpose },
    });
    expect(offGrid.status).toBe(400);
    expect(offGrid.body.errors).toContainEqual(expect.objectContaining({ field: 'body/start' }));
    const past = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId: karen, staffId: 'stf-anna', start: '2026-10-19T07:00:00+02:00', durationMinutes: 20, purpose },
    });
    expect(past.status).toBe(400);
    const long = await t.call('POST', '/visits', {
      as: as.anna,
      body: {
        citizenId: karen,
        staffId: 'stf-anna',
        start: '2026-10-20T08:00:00+02:00',
        durationMinutes: 125,
        purpose,
      },
    });
    expect(long.status).toBe(400);
    expect(long.body.errors).toContainEqual(expect.objectContaining({ field: 'body/durationMinutes' }));
    const unknownField = await t.call('POST', '/visits', {
      as: as.anna,
      body: {
        citizenId: karen,
        staffId: 'stf-anna',
        start: '2026-10-20T08:00:00+02:00',
        durationMinutes: 20,
        purpose,
        room: 'x',
      },
    });
    expect(unknownField.status).toBe(400);
  });

  it('staff book for themselves; a lead books for anyone; a citizen of another team is not found', async () => {
    const forBo = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId: jens, staffId: 'stf-bo', start: '2026-10-20T09:00:00+02:00', durationMinutes: 20, purpose },
    });
    expect(forBo.status).toBe(403);
    await book(t, as.lead, { citizenId: jens, staffId: 'stf-bo', start: '2026-10-20T09:00:00+02:00' });
    const otherTeam = await t.call('POST', '/visits', {
      as: as.westStaff,
      body: { citizenId: jens, staffId: 'stf-wes', start: '2026-10-20T09:00:00+02:00', durationMinutes: 20, purpose },
    });
    expect(otherTeam.status).toBe(404);
  });

  it('never double-books a staff member or a citizen; back-to-back visits are fine', async () => {
    await book(t, as.anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-10-21T08:00:00+02:00',
      durationMinutes: 30,
    });
    const sameStaff = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId: jens, staffId: 'stf-anna', start: '2026-10-21T08:25:00+02:00', durationMinutes: 20, purpose },
    });
    expect(sameStaff.status).toBe(409);
    expect(sameStaff.body.reason).toBe('staff-double-booked');
    const sameCitizen = await t.call('POST', '/visits', {
      as: as.bo,
      body: { citizenId: karen, staffId: 'stf-bo', start: '2026-10-21T08:10:00+02:00', durationMinutes: 20, purpose },
    });
    expect(sameCitizen.status).toBe(409);
    expect(sameCitizen.body.reason).toBe('citizen-double-booked');
    await book(t, as.anna, {
      citizenId: jens,
      staffId: 'stf-anna',
      start: '2026-10-21T08:30:00+02:00',
      durationMinutes: 20,
    });
  });

  it('of 20 simultaneous bookings of one slot exactly one succeeds', async () => {
    const citizens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => newCitizen(t, as.assessor, `Concurrent${i}`)),
    );
    const results = await Promise.all(
      citizens.map((citizenId) =>
        t.call('POST', '/visits', {
          as: as.anna,
          body: { citizenId, staffId: 'stf-anna', start: '2026-10-22T10:00:00+02:00', durationMinutes: 30, purpose },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const day = await t.call('GET', '/visits?staffId=stf-anna&date=2026-10-22', { as: as.lead });
    expect(day.body.items.filter((v: any) => v.status === 'scheduled')).toHaveLength(1);
    // Only the winner keeps its reminder and no-show schedules; the losers' were removed again.
    const winner = results.find((r) => r.status === 201)?.body.visitId;
    const checksAtSlotEnd = [...t.deps.scheduler.jobs.values()].filter(
      (j) => j.job === 'visit-no-show-check' && j.at.toISOString() === '2026-10-22T08:30:00.000Z',
    );
    expect(checksAtSlotEnd.map((j) => j.payload.visitId)).toEqual([winner]);
    expect(t.deps.scheduler.jobs.has(`visit-no-show-${winner}`)).toBe(true);
  });
});

describe('reschedule, reassign, cancel', () => {
  it('rescheduling frees the old slot and takes the new one, and moves the schedules', async () => {
    const visit = await book(t, as.anna, { citizenId: jens, staffId: 'stf-anna', start: '2026-10-22T17:00:00+02:00' });
    const moved = await t.call('PATCH', `/visits/${visit.visitId}`, {
      as: as.anna,
      body: { start: '2026-10-22T18:00:00+02:00', expectedVersion: 1 },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      start: '2026-10-22T18:00:00.000+02:00',
      end: '2026-10-22T18:20:00.000+02:00',
      version: 2,
    });
    expect(t.deps.scheduler.jobs.get(`visit-no-show-${visit.visitId}`)?.at.toISOString()).toBe(
      '2026-10-22T16:20:00.000Z',
    );
    expect(t.deps.scheduler.jobs.get(`visit-reminder-${visit.visitId}`)?.at.toISOString()).toBe(
      '2026-10-22T15:45:00.000Z',
    );
    // The old slot is free again, for anyone.
    await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-10-22T17:00:00+02:00' });
    // A stale version is refused.
    const stale = await t.call('PATCH', `/visits/${visit.visitId}`, {
      as: as.anna,
      body: { durationMinutes: 30, expectedVersion: 1 },
    });
    expect(stale.status).toBe(409);
  });

  it('moving into an occupied slot is refused and changes nothing', async () => {
    const a = await book(t, as.anna, { citizenId: jens, staffId: 'stf-anna', start: '2026-10-23T08:00:00+02:00' });
    const b = await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-10-23T09:00:00+02:00' });
    const clash = await t.call('PATCH', `/visits/${b.visitId}`, {
      as: as.anna,
      body: { start: '2026-10-23T08:10:00+02:00' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.reason).toBe('staff-double-booked');
    const unchanged = await t.call('GET', `/visits/${b.visitId}`, { as: as.anna });
    expect(unchanged.body).toMatchObject({ start: '2026-10-23T09:00:00.000+02:00', version: 1 });
    // b's own slot still holds: nobody else can take 09:00.
    const taken = await t.call('POST', '/visits', {
      as: as.bo,
      body: { citizenId: karen, staffId: 'stf-bo', start: '2026-10-23T09:00:00+02:00', durationMinutes: 20, purpose },
    });
    expect(taken.body.reason).toBe('citizen-double-booked');
    expect(a.status).toBe('scheduled');
  });

  it('a lead reassigns a visit to an available colleague; staff may not hand over a visit', async () => {
    const visit = await book(t, as.anna, { citizenId: jens, staffId: 'stf-anna', start: '2026-10-26T10:00:00+01:00' });
    expect(
      (await t.call('PATCH', `/visits/${visit.visitId}`, { as: as.anna, body: { staffId: 'stf-bo' } })).status,
    ).toBe(403);
    expect(
      (await t.call('PATCH', `/visits/${visit.visitId}`, { as: as.bo, body: { start: '2026-10-26T11:00:00+01:00' } }))
        .status,
    ).toBe(403);
    const reassigned = await t.call('PATCH', `/visits/${visit.visitId}`, { as: as.lead, body: { staffId: 'stf-bo' } });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.staffId).toBe('stf-bo');
    // Anna's 10:00 is free again.
    await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-10-26T10:00:00+01:00' });
    const onlyBo = await t.call('GET', '/visits?staffId=stf-bo&date=2026-10-26', { as: as.bo });
    expect(onlyBo.body.items.map((v: any) => v.visitId)).toContain(visit.visitId);
    // Other systems hear of it, with what it was before.
    const changed = t.deps.events.ofType('VisitChanged').filter((e) => e.detail.visitId === visit.visitId);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.detail).toMatchObject({
      staffId: 'stf-bo',
      changedBy: 'lead-lis',
      previous: { staffId: 'stf-anna', start: '2026-10-26T09:00:00.000Z' },
    });
  });

  it('cancelling releases the slot, removes the schedules, and a cancelled visit cannot change', async () => {
    const visit = await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-10-27T17:00:00+01:00' });
    const cancelled = await t.call('PATCH', `/visits/${visit.visitId}`, {
      as: as.anna,
      body: { status: 'cancelled', reason: 'citizen at the hospital' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'citizen at the hospital' });
    expect(t.deps.scheduler.jobs.has(`visit-no-show-${visit.visitId}`)).toBe(false);
    expect(t.deps.events.ofType('VisitCancelled').some((e) => e.detail.visitId === visit.visitId)).toBe(true);
    await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-10-27T17:00:00+01:00' });
    const again = await t.call('PATCH', `/visits/${visit.visitId}`, { as: as.anna, body: { status: 'cancelled' } });
    expect(again.status).toBe(409);
    const mixed = await t.call('PATCH', `/visits/${visit.visitId}`, {
      as: as.anna,
      body: { status: 'cancelled', staffId: 'stf-anna' },
    });
    expect(mixed.status).toBe(400);
    expect(
      (await t.call('PATCH', `/visits/${visit.visitId}`, { as: as.westLead, body: { status: 'cancelled' } })).status,
    ).toBe(404);
  });
});

describe('listing', () => {
  it('lists a staff member’s day and week, a citizen’s visits, and audits what was read', async () => {
    const week = await t.call('GET', '/visits?staffId=stf-anna&week=2026-W43', { as: as.anna });
    expect(week.status).toBe(200);
    const starts = week.body.items.map((v: any) => v.start);
    expect(starts).toEqual([...starts].sort((a: string, b: string) => new Date(a).getTime() - new Date(b).getTime()));
    expect(week.body.items.every((v: any) => v.staffId === 'stf-anna')).toBe(true);
    expect(starts).toContain('2026-10-25T09:00:00.000+01:00');

    const karens = await t.call('GET', `/visits?citizenId=${karen}&from=2026-10-19T00:00:00Z&to=2026-11-01T00:00:00Z`, {
      as: as.bo,
    });
    expect(karens.body.items.length).toBeGreaterThan(3);
    expect(karens.body.items.every((v: any) => v.citizenId === karen)).toBe(true);

    const audit = await t.call('GET', `/audit?citizenId=${karen}`, { as: await t.token('admin', 'adm-1', 'east') });
    expect(audit.body.items.some((r: any) => r.action === 'visit.read' && r.actor.sub === 'stf-bo')).toBe(true);

    const paged = await t.call('GET', '/visits?limit=2&from=2026-10-19T00:00:00Z', { as: as.lead });
    expect(paged.body.items).toHaveLength(2);
    expect(paged.body.nextCursor).toEqual(expect.any(String));
    const next = await t.call('GET', `/visits?limit=2&from=2026-10-19T00:00:00Z&cursor=${paged.body.nextCursor}`, {
      as: as.lead,
    });
    expect(next.body.items[0].visitId).not.toBe(paged.body.items[0].visitId);
  });

  it('another team sees none of them; a citizen of another team is 404; day and from/to together are 400', async () => {
    const west = await t.call('GET', '/visits?from=2026-10-19T00:00:00Z', { as: as.westLead });
    expect(west.body.items).toEqual([]);
    expect((await t.call('GET', `/visits?citizenId=${karen}`, { as: as.westLead })).status).toBe(404);
    expect((await t.call('GET', '/visits?date=2026-10-22&from=2026-10-19T00:00:00Z', { as: as.lead })).status).toBe(
      400,
    );
  });

  it('the citizen’s tablet lists only its own upcoming visits, without notes or staff details', async () => {
    const mine = await t.call('GET', '/me/visits', { as: await t.token('citizen', karen, 'east') });
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(
      mine.body.items.every(
        (v: any) =>
          v.status === 'scheduled' &&
          Object.keys(v).sort().join() === 'durationMinutes,end,joinableFrom,service,start,status,visitId',
      ),
    ).toBe(true);
    const jensVisits = await t.call('GET', `/visits?citizenId=${jens}`, { as: as.lead });
    const jensIds = new Set(jensVisits.body.items.map((v: any) => v.visitId));
    expect(mine.body.items.some((v: any) => jensIds.has(v.visitId))).toBe(false);
    expect((await t.call('GET', '/me/visits', { as: as.anna })).status).toBe(403);
    expect((await t.call('GET', '/visits', { as: await t.token('citizen', karen, 'east') })).status).toBe(403);
  });
});
