import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICAL_STATUS } from '#shared/visits/calendar.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { book, newCitizen, setAvailability, visitActors, type VisitActors } from '../visits/visit-helpers.ts';

/** What a newcomer with curl and the README meets first. */
let t: TestApp;
let as: VisitActors;
let server: ServerType;
let port: number;

beforeAll(async () => {
  t = await createTestApp({
    clock: new FixedClock(new Date('2026-11-23T06:00:00Z')),
    config: { PUBLIC_BASE_URL: 'https://api.e-team.example' },
  });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', {
    weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '12:00' })),
    exceptions: [],
  });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw HTTP/1.1 request as `curl -X POST` sends it: no Content-Length, no body, unless given. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), text: rest.join('\r\n\r\n') });
    });
    const lines = [
      `${method} ${path} HTTP/1.1`,
      `host: 127.0.0.1:${port}`,
      'connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    if (body !== undefined) lines.push(`content-length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
  });
}

describe('action POSTs', () => {
  it('accept no body (curl -X POST), an empty body, or {}', async () => {
    const auth = { authorization: `Bearer ${as.anna}` };
    expect((await raw('POST', '/staff/stf-anna/calendar-feed', auth)).status).toBe(201);
    expect(
      (
        await raw(
          'POST',
          '/staff/stf-anna/calendar-feed',
          { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
          '',
        )
      ).status,
    ).toBe(201);
    expect(
      (await raw('POST', '/staff/stf-anna/calendar-feed', { ...auth, 'content-type': 'application/json' }, '')).status,
    ).toBe(201);
    expect(
      (await raw('POST', '/staff/stf-anna/calendar-feed', { ...auth, 'content-type': 'application/json' }, '{}'))
        .status,
    ).toBe(201);
  });

  it('an optional body (approve, ack) may be left out: the answer is about the resource, not the body', async () => {
    const lead = { authorization: `Bearer ${as.lead}` };
    const approve = await raw('POST', '/conversions/cnv_01JD0000000000000000000000/approve', lead);
    expect(approve.status).toBe(404);
    const ack = await raw(
      'POST',
      '/alerts/alr_01JD0000000000000000000000/ack',
      { ...lead, 'content-type': 'application/json' },
      '',
    );
    expect(ack.status).toBe(404);
  });

  it('a body in another content type is still a 415, and a missing required body a 400', async () => {
    const auth = { authorization: `Bearer ${as.anna}` };
    const wrongType = await raw(
      'POST',
      '/staff/stf-anna/calendar-feed',
      { ...auth, 'content-type': 'text/plain' },
      'hello',
    );
    expect(wrongType.status).toBe(415);
    const formBooking = await raw(
      'POST',
      '/visits',
      { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      'citizenId=cit_1',
    );
    expect(formBooking.status).toBe(415);
    const noBooking = await raw('POST', '/visits', auth);
    expect(noBooking.status).toBe(400);
    expect(JSON.parse(noBooking.text).errors.map((e: { field: string }) => e.field)).toContain('body/citizenId');
  });
});

describe('401 problems (RFC 6750)', () => {
  it('name the Bearer scheme, and say invalid_token when a token was sent but refused', async () => {
    const none = await t.call('GET', '/citizens');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="e-team"');
    const bad = await t.call('GET', '/citizens', { as: 'not.a.token' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="e-team", error="invalid_token"');
    const badKey = await t.call('GET', `/staff/stf-anna/calendar.ics?key=${'x'.repeat(43)}`);
    expect(badKey.status).toBe(401);
    expect(badKey.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });
});

describe('date and time validation messages', () => {
  it('say which form is expected, with an example, and how to send + in a query', async () => {
    // What a shell user sends: no offset, and a + that the query string turned into a space.
    for (const from of ['2026-11-24T09:00:00', '2026-11-24T09:00:00 01:00']) {
      const res = await t.call('GET', `/visits?from=${encodeURIComponent(from).replace('%20', '+')}`, { as: as.lead });
      expect(res.status).toBe(400);
      const message = res.body.errors.find((e: { field: string }) => e.field === 'query/from')?.message;
      expect(message).toContain('2026-11-24T09:00:00+01:00');
      expect(message).toContain('encode + as %2B');
    }
    const encoded = await t.call('GET', `/visits?from=${encodeURIComponent('2026-11-24T09:00:00+01:00')}`, {
      as: as.lead,
    });
    expect(encoded.status).toBe(200);
    const date = await t.call('GET', '/reports/trial?from=24-11-2026&to=2026-11-30', { as: as.lead });
    expect(date.body.errors[0]).toEqual({
      field: 'query/from',
      message: expect.stringContaining('YYYY-MM-DD, e.g. 2026-11-24'),
    });
    const time = await t.call('PUT', '/staff/stf-anna/availability', {
      as: as.anna,
      body: { weekly: [{ weekday: 1, start: '8:00', end: '12:00' }], exceptions: [] },
    });
    expect(time.status).toBe(400);
    expect(time.body.errors[0].message).toContain('HH:mm (24-hour), e.g. 08:30');
  });
});

describe('the calendar feed', () => {
  it('maps each visit status to an iCalendar STATUS (RFC 5545 has TENTATIVE, CONFIRMED, CANCELLED for events)', () => {
    expect(ICAL_STATUS).toEqual({
      scheduled: 'CONFIRMED',
      in_progress: 'CONFIRMED',
      completed: 'CONFIRMED',
      missed: 'CONFIRMED',
      cancelled: 'CANCELLED',
    });
  });

  it('links each visit with an absolute URL on PUBLIC_BASE_URL, and says what became of it', async () => {
    const karen = await newCitizen(t, as.assessor);
    const held = await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-11-24T09:00:00+01:00' });
    const dropped = await book(t, as.anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-11-25T09:00:00+01:00',
    });
    expect(
      (await t.call('PATCH', `/visits/${dropped.visitId}`, { as: as.anna, body: { status: 'cancelled' } })).status,
    ).toBe(200);

    const issued = await t.call('POST', '/staff/stf-anna/calendar-feed', { as: as.anna });
    expect(issued.body.url).toBe(`https://api.e-team.example${issued.body.path}`);
    const feed = await t.call('GET', issued.body.path);
    expect(feed.status).toBe(200);
    const events = new ICAL.Component(ICAL.parse(feed.text)).getAllSubcomponents('vevent');
    const byVisit = new Map(events.map((e) => [String(e.getFirstPropertyValue('uid')).split('@')[0], e]));
    const heldEvent = byVisit.get(held.visitId);
    expect(heldEvent?.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(heldEvent?.getFirstPropertyValue('url')).toBe(`https://api.e-team.example/visits/${held.visitId}`);
    expect(heldEvent?.getFirstPropertyValue('description')).toContain(
      `https://api.e-team.example/visits/${held.visitId}`,
    );
    expect(heldEvent?.getFirstPropertyValue('categories')).toBe('scheduled');
    const droppedEvent = byVisit.get(dropped.visitId);
    expect(droppedEvent?.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(droppedEvent?.getFirstPropertyValue('categories')).toBe('cancelled');
  });
});
