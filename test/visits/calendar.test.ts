import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { book, newCitizen, setAvailability, visitActors, type VisitActors } from './visit-helpers.ts';

let t: TestApp;
let as: VisitActors;
let karen: string;
const visits: Record<string, any> = {};

beforeAll(async () => {
  // Thursday 22 October 2026; the clocks go back on Sunday the 25th.
  t = await createTestApp({ clock: new FixedClock(new Date('2026-10-22T06:00:00Z')) });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', {
    weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '12:00' })),
    exceptions: [],
  });
  karen = await newCitizen(t, as.assessor);
  visits.saturday = await book(t, as.anna, {
    citizenId: karen,
    staffId: 'stf-anna',
    start: '2026-10-24T08:00:00+02:00',
  });
  visits.sunday = await book(t, as.anna, {
    citizenId: karen,
    staffId: 'stf-anna',
    start: '2026-10-25T08:00:00+01:00',
    durationMinutes: 30,
  });
  visits.cancelled = await book(t, as.anna, {
    citizenId: karen,
    staffId: 'stf-anna',
    start: '2026-10-26T09:00:00+01:00',
  });
  await t.call('PATCH', `/visits/${visits.cancelled.visitId}`, { as: as.anna, body: { status: 'cancelled' } });
});

describe('a visit across the daylight-saving change', () => {
  it('keeps its wall-clock time: 08:00 on Saturday (summer time) and on Sunday (winter time)', async () => {
    expect(visits.saturday.start).toBe('2026-10-24T08:00:00.000+02:00');
    expect(visits.sunday.start).toBe('2026-10-25T08:00:00.000+01:00');
    const sunday = await t.call('GET', `/visits/${visits.sunday.visitId}`, { as: as.anna });
    expect(new Date(sunday.body.start).toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(DateTime.fromISO(sunday.body.start, { zone: 'Europe/Copenhagen' }).toFormat('HH:mm')).toBe('08:00');
  });
});

describe('the staff member’s calendar feed', () => {
  it('parses with a real iCalendar parser, one event per visit, times right across the DST change', async () => {
    const res = await t.call('GET', '/staff/stf-anna/calendar.ics', { as: as.anna });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);

    const calendar = new ICAL.Component(ICAL.parse(res.text));
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('prodid')).toEqual(expect.any(String));
    const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events).toHaveLength(3);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    const sunday = byUid.get(`${visits.sunday.visitId}@demo.e-team.example`);
    expect(sunday?.startDate.toJSDate().toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(sunday?.endDate.toJSDate().toISOString()).toBe('2026-10-25T07:30:00.000Z');
    expect(
      DateTime.fromJSDate(sunday?.startDate.toJSDate() ?? new Date(0), { zone: 'Europe/Copenhagen' }).toFormat('HH:mm'),
    ).toBe('08:00');
    const saturday = byUid.get(`${visits.saturday.visitId}@demo.e-team.example`);
    expect(saturday?.startDate.toJSDate().toISOString()).toBe('2026-10-24T06:00:00.000Z');
    const cancelled = byUid.get(`${visits.cancelled.visitId}@demo.e-team.example`);
    expect(cancelled?.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(cancelled?.sequence).toBe(1);
  });

  it('every event carries UID and DTSTAMP (RFC 5545 requires both; the parser does not check)', async () => {
    const res = await t.call('GET', '/staff/stf-anna/calendar.ics', { as: as.anna });
    expect(res.text.split('\r\n').every((line) => line.length <= 75)).toBe(true);
    const blocks = res.text
      .split('BEGIN:VEVENT')
      .slice(1)
      .map((b) => b.split('END:VEVENT')[0] ?? '');
    expect(blocks).toHaveLength(3);
    for (const block of blocks) {
      expect(block).toMatch(/\r\nUID:vis_[0-9A-Z]{26}@demo\.e-team\.example\r\n/);
      expect(block).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
      expect(block).toMatch(/\r\nDTSTART:\d{8}T\d{6}Z\r\n/);
      expect(block).not.toContain('Karen');
    }
    // The stamp is the visit's last change, so an unchanged feed is byte-identical between fetches.
    const again = await t.call('GET', '/staff/stf-anna/calendar.ics', { as: as.anna });
    expect(again.text).toBe(res.text);
  });

  it('only the staff member and their lead read it', async () => {
    expect((await t.call('GET', '/staff/stf-anna/calendar.ics', { as: as.lead })).status).toBe(200);
    expect((await t.call('GET', '/staff/stf-anna/calendar.ics', { as: as.bo })).status).toBe(403);
    expect((await t.call('GET', '/staff/stf-anna/calendar.ics', { as: as.westLead })).status).toBe(404);
  });
});

describe('subscribing to the feed from a calendar program', () => {
  it('works with the secret feed key alone, and a new key revokes the old one', async () => {
    const issued = await t.call('POST', '/staff/stf-anna/calendar-feed', { as: as.anna });
    expect(issued.status).toBe(201);
    expect(issued.body.path).toBe(`/staff/stf-anna/calendar.ics?key=${issued.body.key}`);

    const subscribed = await t.call('GET', issued.body.path);
    expect(subscribed.status).toBe(200);
    expect(subscribed.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(subscribed.text).toContain(`UID:${visits.saturday.visitId}`);

    const reissued = await t.call('POST', '/staff/stf-anna/calendar-feed', { as: as.anna });
    expect((await t.call('GET', issued.body.path)).status).toBe(401);
    expect((await t.call('GET', reissued.body.path)).status).toBe(200);
  });

  it('refuses a wrong key, no credential at all, and a key used for another calendar', async () => {
    const { body } = await t.call('POST', '/staff/stf-anna/calendar-feed', { as: as.anna });
    expect((await t.call('GET', `/staff/stf-anna/calendar.ics?key=${'A'.repeat(43)}`)).status).toBe(401);
    expect((await t.call('GET', '/staff/stf-anna/calendar.ics')).status).toBe(401);
    expect((await t.call('GET', `/staff/stf-bo/calendar.ics?key=${body.key}`)).status).toBe(401);
    expect((await t.call('GET', `/visits?key=${body.key}`)).status).toBe(401);
  });

  it('is issued by the staff member themself or their lead, not a colleague', async () => {
    expect(
      (await t.call('POST', '/staff/stf-anna/calendar-feed', { as: await t.token('staff', 'stf-bo') })).status,
    ).toBe(403);
    expect(
      (await t.call('POST', '/staff/stf-anna/calendar-feed', { as: await t.token('lead', 'lead-lis') })).status,
    ).toBe(201);
    expect(
      (await t.call('POST', '/staff/stf-anna/calendar-feed', { as: await t.token('lead', 'lead-west', 'west') }))
        .status,
    ).toBe(404);
  });
});
