import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#shared/app/job-registry.ts';
import { getTablet } from '#shared/tablets/tablet-store.ts';
import { raisesAt } from '#shared/tablets/not-seen.ts';
import { pairTablet } from '../security/fixtures.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { newCitizen, visitActors, type VisitActors } from '../visits/visit-helpers.ts';

// Monday 23 November 2026, 09:00 in Copenhagen (UTC+1).
const clock = new FixedClock(new Date('2026-11-23T08:00:00Z'));
let t: TestApp;
let as: VisitActors;
let ida: string;
let karen: string;
let tablet: { token: string; tabletId: string };

const notSeen = async (token: string) =>
  (await t.call('GET', '/alerts', { as: token })).body.items.filter((a: any) => a.kind === 'tablet_not_seen');
const runCheck = async () => {
  const run = (await runJob(t.deps, 'tablets-not-seen')) as { raised: string[]; resolved: string[] };
  await t.drain();
  return run;
};

beforeAll(async () => {
  t = await createTestApp({ clock });
  as = await visitActors(t);
  ida = await t.token('support', 'it-ida', 'east');
  karen = await newCitizen(t, as.assessor, 'Karen');
  tablet = await pairTablet(t, as.anna, karen);
  const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
  const roster = await t.call('PUT', '/teams/east/duty-roster', {
    as: as.lead,
    body: { entries: [{ staffId: 'it-ida', duty: 'support', weekly: allWeek }] },
  });
  expect(roster.status, roster.text).toBe(200);
  const res = await t.call('POST', '/me/push-subscriptions', {
    as: ida,
    body: { endpoint: 'https://push.example.org/send/ida', keys: { p256dh: 'p', auth: 'a' }, locale: 'da' },
  });
  expect(res.status, res.text).toBe(201);
});

describe('a tablet that has not been seen', () => {
  it('every tablet request is its heartbeat, written at most once a quarter hour', async () => {
    expect((await getTablet(t.deps.table, karen, tablet.tabletId))?.lastSeenAt).toBe('2026-11-23T08:00:00.000Z');
    clock.advanceMinutes(10);
    expect((await t.call('GET', '/me/next-visit', { as: tablet.token })).status).toBe(200);
    expect((await getTablet(t.deps.table, karen, tablet.tabletId))?.lastSeenAt).toBe('2026-11-23T08:00:00.000Z');
    clock.advanceMinutes(10);
    expect((await t.call('GET', '/me/next-visit', { as: tablet.token })).status).toBe(200);
    expect((await getTablet(t.deps.table, karen, tablet.tabletId))?.lastSeenAt).toBe('2026-11-23T08:20:00.000Z');
    const listed = await t.call('GET', `/citizens/${karen}/tablets`, { as: as.anna });
    expect(listed.body.items[0].lastSeenAt).toBe('2026-11-23T08:20:00.000Z');
  });

  it('a night off is no episode; a day without a request raises one technical alert, paged to support', async () => {
    // The tablet is off from 22:00 to 08:00: nothing to report.
    clock.set('2026-11-24T07:30:00Z');
    expect(await runCheck()).toEqual({ raised: [], resolved: [] });

    // Silent for more than 24 hours, found at 03:00 (night: nobody is paged), then at 08:00.
    clock.set('2026-11-25T02:00:00Z');
    expect((await runCheck()).raised).toEqual([]);
    clock.set('2026-11-25T07:00:00Z');
    const { raised } = await runCheck();
    expect(raised).toHaveLength(1);
    expect((await runCheck()).raised).toEqual([]); // one alert per episode, however often the job runs

    const [alert] = await notSeen(ida);
    expect(alert).toMatchObject({
      alertId: raised[0],
      kind: 'tablet_not_seen',
      citizenId: karen,
      status: 'open',
      details: { tabletId: tablet.tabletId, lastSeenAt: '2026-11-23T08:20:00.000Z' },
    });
    expect(await notSeen(as.anna)).toHaveLength(1); // staff still see every alert
    const paged = (await t.call('GET', '/notifications/outbox?recipient=it-ida', { as: as.lead })).body.items;
    expect(paged).toEqual([
      expect.objectContaining({ channel: 'push', url: expect.stringContaining(`#/alerts/${raised[0]}`) }),
    ]);
    expect(paged[0].body).not.toContain(karen);
  });

  it('is resolved when the tablet is seen again, and a later silence is a new episode', async () => {
    clock.set('2026-11-25T09:00:00Z');
    expect((await t.call('GET', '/me/next-visit', { as: tablet.token })).status).toBe(200);
    const { resolved } = await runCheck();
    expect(resolved).toHaveLength(1);
    expect(await notSeen(ida)).toEqual([]);
    const done = await t.call('GET', `/alerts/${resolved[0]}`, { as: ida });
    expect(done.body).toMatchObject({ status: 'resolved', resolution: 'The tablet was seen again' });

    clock.set('2026-11-26T12:00:00Z');
    expect((await runCheck()).raised).toHaveLength(1);
  });

  it('a revoked tablet is not expected back: its alert is resolved and it is never reported again', async () => {
    expect((await t.call('DELETE', `/citizens/${karen}/tablets/${tablet.tabletId}`, { as: as.anna })).status).toBe(200);
    const { resolved } = await runCheck();
    expect(resolved).toHaveLength(1);
    const done = await t.call('GET', `/alerts/${resolved[0]}`, { as: ida });
    expect(done.body.resolution).toBe('The tablet was disconnected');
    clock.set('2026-11-30T12:00:00Z');
    expect(await runCheck()).toEqual({ raised: [], resolved: [] });
  });

  it('raises in the daytime of the team’s time zone only', () => {
    expect(raisesAt(new Date('2026-11-23T06:59:00Z'), 'Europe/Copenhagen')).toBe(false); // 07:59
    expect(raisesAt(new Date('2026-11-23T07:00:00Z'), 'Europe/Copenhagen')).toBe(true); // 08:00
    expect(raisesAt(new Date('2026-07-01T17:59:00Z'), 'Europe/Copenhagen')).toBe(true); // 19:59 summer time
    expect(raisesAt(new Date('2026-07-01T18:00:00Z'), 'Europe/Copenhagen')).toBe(false); // 20:00
  });
});
