import { beforeAll, describe, expect, it } from 'vitest';
import { getStaffProfile } from '#shared/visits/availability.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { bosWeek } from '../visits/visit-helpers.ts';
import { seedTeam, type TeamWorld } from './fixtures.ts';

/**
 * The leaks found by probing two teams, each reproduced as the prober did it. They fail on the
 * code before the fix; the matrix (cross-team-matrix.test.ts) holds the same for every route.
 */
let t: TestApp;
let east: TeamWorld;
let west: TeamWorld;
let eastDpo: string;

beforeAll(async () => {
  t = await createTestApp({ clock: new FixedClock(new Date('2026-10-19T06:00:00Z')) });
  east = await seedTeam(t, 'east');
  west = await seedTeam(t, 'west');
  eastDpo = await t.token('dpo', 'dpo-kommune', 'east');
}, 60_000);

const auditOf = async (citizenId: string, as: string) =>
  (await t.call('GET', `/audit?citizenId=${citizenId}&limit=200`, { as })).body.items as {
    action: string;
    actor: { sub: string };
  }[];

describe('cursors and lists that name another team’s people', () => {
  it('GET /visits?staffId= and /alerts?citizenId= of another team are 404, with no cursor', async () => {
    const visits = await t.call('GET', `/visits?staffId=${west.ids.staffId}&limit=1&from=2026-10-01T00:00:00Z`, {
      as: east.lead,
    });
    const alerts = await t.call('GET', `/alerts?citizenId=${west.ids.citizenId}&limit=1`, { as: east.staff });
    expect([visits.status, alerts.status]).toEqual([404, 404]);
    expect(visits.text + alerts.text).not.toMatch(/nextCursor/);
  });

  it('a cursor is opaque: it decodes to no key, and only the route, query and caller it was issued to may use it', async () => {
    await t.call('POST', '/citizens', {
      as: east.assessor,
      body: { nationalId: '111145-1111', name: { given: 'To', family: 'Borger' } },
    });
    const first = await t.call('GET', '/citizens?limit=1', { as: east.staff });
    const cursor = first.body.nextCursor as string;
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/CITIZEN|TEAM#|cit_|PROFILE/);
    expect((await t.call('GET', `/citizens?limit=1&cursor=${cursor}`, { as: east.staff })).status).toBe(200);
    // Another caller of the same team, another team, another query, another route.
    expect((await t.call('GET', `/citizens?limit=1&cursor=${cursor}`, { as: east.lead })).status).toBe(400);
    expect((await t.call('GET', `/citizens?limit=1&cursor=${cursor}`, { as: west.staff })).status).toBe(400);
    expect((await t.call('GET', `/citizens?limit=1&name=borger&cursor=${cursor}`, { as: east.staff })).status).toBe(
      400,
    );
    expect((await t.call('GET', `/dispensers?limit=1&cursor=${cursor}`, { as: east.staff })).status).toBe(400);
  });

  it('a crafted, altered or expired cursor is a 400 problem, never a 500 or another partition', async () => {
    const crafted = Buffer.from(
      JSON.stringify({ pk: `CITIZEN#${west.ids.citizenId}`, sk: 'PROFILE', gsi1pk: 'TEAM#west#CITIZENS', gsi1sk: 'x' }),
    ).toString('base64url');
    const res = await t.call('GET', `/citizens?limit=1&cursor=${crafted}`, { as: east.staff });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.errors[0].field).toBe('query/cursor');

    const issued = (await t.call('GET', '/citizens?limit=1', { as: east.staff })).body.nextCursor as string;
    const altered = Buffer.from(issued, 'base64url');
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0xff;
    expect(
      (await t.call('GET', `/citizens?limit=1&cursor=${altered.toString('base64url')}`, { as: east.staff })).status,
    ).toBe(400);

    const later = await createTestApp({
      clock: new FixedClock(new Date('2026-10-21T06:00:00Z')),
      config: { TABLE_NAME: t.config.TABLE_NAME },
    });
    const expired = await later.call('GET', `/citizens?limit=1&cursor=${issued}`, { as: east.staff });
    expect(expired.status).toBe(400);
    expect(expired.body.errors[0].message).toMatch(/expired/);
  });
});

describe('the audit log', () => {
  it('an admin reads their own team’s audit only; another team’s citizen or staff member is 404', async () => {
    expect((await t.call('GET', `/audit?citizenId=${west.ids.citizenId}`, { as: east.admin })).status).toBe(404);
    expect((await t.call('GET', `/audit?actor=${west.ids.staffId}`, { as: east.admin })).status).toBe(404);
    expect((await t.call('GET', `/audit?actor=${east.ids.staffId}`, { as: east.admin })).status).toBe(200);
  });

  it('the data-protection officer (dpo) reads every team’s; and every read of the audit log is audited', async () => {
    const read = await t.call('GET', `/audit?citizenId=${west.ids.citizenId}`, { as: eastDpo });
    expect(read.status).toBe(200);
    expect((await auditOf(west.ids.citizenId, eastDpo)).map((r) => `${r.action} by ${r.actor.sub}`)).toContain(
      'audit.read by dpo-kommune',
    );
    expect((await t.call('GET', `/citizens/${west.ids.citizenId}`, { as: eastDpo })).status).toBe(403);
  });

  it('GET /dispensers and /dispensers/{id} are audited for the citizen who has the dispenser', async () => {
    const before = (await auditOf(east.ids.citizenId, east.admin)).filter((r) => r.action === 'dispenser.read').length;
    expect((await t.call('GET', '/dispensers', { as: east.staff })).status).toBe(200);
    expect((await t.call('GET', `/dispensers/${east.ids.dispenserId}`, { as: east.staff })).status).toBe(200);
    expect((await auditOf(east.ids.citizenId, east.admin)).filter((r) => r.action === 'dispenser.read').length).toBe(
      before + 2,
    );
  });
});

describe('the staff directory', () => {
  it('a lead of another team cannot claim an unregistered staff member by setting their availability', async () => {
    const res = await t.call('PUT', '/staff/stf-new/availability', { as: east.lead, body: bosWeek });
    expect(res.status).toBe(404);
    expect(await getStaffProfile(t.deps.table, 'stf-new')).toBeUndefined();
    // Their own first sign-in registers them in the team of their own token.
    const own = await t.call('PUT', '/staff/stf-new/availability', {
      as: await t.token('staff', 'stf-new', 'west'),
      body: bosWeek,
    });
    expect(own.body).toMatchObject({ staffId: 'stf-new', team: 'west' });
    for (const [method, path] of [
      ['GET', '/staff/stf-new/availability'],
      ['POST', '/staff/stf-new/calendar-feed'],
      ['GET', '/staff/stf-new/calendar.ics'],
    ] as const) {
      expect((await t.call(method, path, { as: east.lead })).status, path).toBe(404);
    }
  });

  it('a lead registers staff in their own team only, lists them, and only then sets their availability', async () => {
    expect((await t.call('POST', '/teams/west/staff', { as: east.lead, body: { staffId: 'stf-ida' } })).status).toBe(
      404,
    );
    expect((await t.call('GET', '/teams/west/staff', { as: east.lead })).status).toBe(404);
    const registered = await t.call('POST', '/teams/east/staff', {
      as: east.lead,
      body: { staffId: 'stf-ida', name: 'Ida Vang' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      staffId: 'stf-ida',
      team: 'east',
      name: 'Ida Vang',
      registeredBy: 'lead-east',
      hasAvailability: false,
    });
    expect(
      (await t.call('POST', '/teams/east/staff', { as: east.admin, body: { staffId: 'stf-ida' } })).body.reason,
    ).toBe('staff-registered');
    expect((await t.call('PUT', '/staff/stf-ida/availability', { as: east.lead, body: bosWeek })).status).toBe(200);
    const list = await t.call('GET', '/teams/east/staff?limit=200', { as: east.admin });
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ staffId: 'stf-ida', name: 'Ida Vang', hasAvailability: true }),
    );
    expect(list.text).not.toContain('west');
    expect((await t.call('GET', '/teams/east/staff', { as: east.staff })).status).toBe(403);
  });
});

describe('the citizen’s access log', () => {
  it('shows the citizen who read their data, what, when and why, newest first, in Danish and English', async () => {
    await t.call('GET', `/citizens/${east.ids.citizenId}`, { as: east.staff });
    const mine = await t.call('GET', '/me/access-log?limit=50', { as: east.citizen });
    expect(mine.status).toBe(200);
    const [newest] = mine.body.items;
    expect(newest).toMatchObject({
      action: 'citizen.read',
      who: {
        kind: 'staff',
        role: 'staff',
        team: 'east',
        id: 'stf-east',
        label: { da: 'Medarbejder', en: 'Staff member' },
      },
      data: { code: 'identity', da: 'Stamdata', en: 'Identity' },
      purpose: { da: 'Opslag på borgeren', en: 'Looking up the citizen' },
    });
    const times = mine.body.items.map((e: { at: string }) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(mine.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['citizen.create', 'visit.create', 'dispenser.assign']),
    );
  });

  it('names a dispenser as "device", pages with a cursor, and is shown by staff of the citizen’s team only', async () => {
    const post = await t.call('POST', `/dispensers/${east.ids.dispenserId}/events`, {
      headers: { authorization: `Bearer ${east.credential}` },
      body: {
        events: [
          {
            eventId: 'log-1',
            type: 'dose_taken',
            occurredAt: '2026-10-19T06:00:00Z',
            scheduledFor: '2026-10-19T06:00:00Z',
          },
        ],
      },
    });
    expect(post.status).toBeLessThan(300);
    const byStaff = await t.call('GET', `/citizens/${east.ids.citizenId}/access-log?limit=200`, { as: east.staff });
    expect(byStaff.body.items.find((e: { action: string }) => e.action === 'device-events.ingest')?.who).toMatchObject({
      kind: 'device',
      id: 'device',
    });
    const page = await t.call('GET', `/citizens/${east.ids.citizenId}/access-log?limit=2`, { as: east.staff });
    const next = await t.call(
      'GET',
      `/citizens/${east.ids.citizenId}/access-log?limit=2&cursor=${page.body.nextCursor}`,
      { as: east.staff },
    );
    expect(next.status).toBe(200);
    expect(next.body.items[0].at <= page.body.items[1].at).toBe(true);
    expect((await t.call('GET', `/citizens/${east.ids.citizenId}/access-log`, { as: west.staff })).status).toBe(404);
    expect((await t.call('GET', '/me/access-log', { as: east.staff })).status).toBe(403);
  });
});
