import { beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert, type AlertRaise } from '#shared/alerts/alerts.ts';
import { escalationScheduleName } from '#shared/notifications/escalation.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { newCitizen, visitActors, type VisitActors } from '../visits/visit-helpers.ts';

const clock = new FixedClock(new Date('2026-11-23T08:00:00Z'));
let t: TestApp;
let as: VisitActors;
let ida: string;
let karen: string;
const ids: Record<string, string> = {};

const raise = async (name: string, raise: Omit<AlertRaise, 'team' | 'occurredAt'>) => {
  clock.advanceMinutes(1);
  const result = await raiseAlert(t.deps, { team: 'east', occurredAt: clock.now(), ...raise });
  ids[name] = result.alertId ?? '';
};
const kindsListed = async (token: string, query = '') => {
  const res = await t.call('GET', `/alerts${query}`, { as: token });
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((a: any) => a.kind);
};

beforeAll(async () => {
  t = await createTestApp({ clock });
  as = await visitActors(t);
  ida = await t.token('support', 'it-ida', 'east');
  karen = await newCitizen(t, as.assessor, 'Karen');
  const missed = (doseAt: string) => ({
    kind: 'missed_dose' as const,
    citizenId: karen,
    dedupKey: `missed_dose#${karen}#${doseAt}`,
    summary: `Dose at ${doseAt} not taken`,
  });
  await raise('missed1', missed('2026-11-23T07:00:00Z'));
  await raise('fault', {
    kind: 'device_fault',
    citizenId: karen,
    dispenserId: 'dsp_01KAQ3Y9S0T2V4X6Z8B0D2F4H6',
    dedupKey: 'device_fault#dsp_01KAQ3Y9S0T2V4X6Z8B0D2F4H6#jam',
    summary: 'Dispenser reports a jam',
  });
  await raise('missed2', missed('2026-11-23T07:30:00Z'));
  await raise('missed3', missed('2026-11-23T07:45:00Z'));
  await raise('silent', {
    kind: 'device_silent',
    dispenserId: 'dsp_01KAQ3YAS0T2V4X6Z8B0D2F4H6',
    dedupKey: 'device_silent#dsp_01KAQ3YAS0T2V4X6Z8B0D2F4H6#2026-11-23T05:00:00Z',
    summary: 'Dispenser silent since 05:00',
  });
  await t.drain();
});

describe('support (the team’s IT supporter) sees the technical alerts only', () => {
  it('lists the team’s device faults and silent devices, not the missed doses; staff and lead see all', async () => {
    expect(await kindsListed(ida)).toEqual(['device_fault', 'device_silent']);
    expect(await kindsListed(as.anna)).toEqual([
      'missed_dose',
      'device_fault',
      'missed_dose',
      'missed_dose',
      'device_silent',
    ]);
    expect(await kindsListed(as.lead, '?limit=2')).toEqual(['missed_dose', 'device_fault']);
  });

  it('pages through the technical alerts without skipping one behind the clinical ones', async () => {
    const first = await t.call('GET', '/alerts?limit=1', { as: ida });
    expect(first.body.items.map((a: any) => a.alertId)).toEqual([ids.fault]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.call('GET', `/alerts?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      as: ida,
    });
    expect(second.status, second.text).toBe(200);
    expect(second.body.items.map((a: any) => a.alertId)).toEqual([ids.silent]);
  });

  it('support works by device, not by citizen; a clinical alert is the 404 of an unknown one', async () => {
    // Support does not see citizens: asking for one citizen's alerts is the 404 of an unknown citizen.
    expect((await t.call('GET', `/alerts?citizenId=${karen}`, { as: ida })).status).toBe(404);
    expect((await t.call('GET', `/alerts/${ids.missed1}`, { as: ida })).status).toBe(404);
    const fault = await t.call('GET', `/alerts/${ids.fault}`, { as: ida });
    expect(fault.status).toBe(200);
    expect(fault.body.kind).toBe('device_fault');
    expect((await t.call('GET', `/alerts/${ids.missed1}`, { as: as.anna })).status).toBe(200);
  });

  it('another team’s support sees none of it; the other roles are still refused', async () => {
    const westIt = await t.token('support', 'it-west', 'west');
    expect(await kindsListed(westIt)).toEqual([]);
    expect((await t.call('GET', `/alerts/${ids.fault}`, { as: westIt })).status).toBe(404);
    expect((await t.call('GET', '/alerts', { as: as.assessor })).status).toBe(403);
  });
});

describe('support handles the technical alerts it is paged for', () => {
  const silentSince = (dispenserId: string, since: string) => ({
    kind: 'device_silent' as const,
    dispenserId,
    dedupKey: `device_silent#${dispenserId}#${since}`,
    summary: `Dispenser silent since ${since}`,
  });
  const pagedTo = (recipient: string, alertId: string) =>
    t.deps.notifier.outbox.filter((m: any) => m.recipient === recipient && JSON.stringify(m).includes(alertId));

  beforeAll(async () => {
    const allDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
    const roster = await t.call('PUT', '/teams/east/duty-roster', {
      as: as.lead,
      body: { entries: [{ staffId: 'it-ida', duty: 'support', weekly: allDay }] },
    });
    expect(roster.status, roster.text).toBe(200);
    const chain = await t.call('PUT', '/teams/east/escalation', {
      as: as.lead,
      body: {
        leads: ['lead-lis'],
        clinical: [{ to: 'lead', channels: ['push'], timeoutMinutes: 10 }],
        technical: [
          { to: 'support', channels: ['push'], timeoutMinutes: 30 },
          { to: 'lead', channels: ['push'], timeoutMinutes: 30 },
        ],
      },
    });
    expect(chain.status, chain.text).toBe(200);
    for (const [token, name] of [
      [ida, 'ida'],
      [as.lead, 'lis'],
    ] as const) {
      const body = {
        endpoint: `https://push.example.org/send/${name}`,
        keys: { p256dh: 'p', auth: 'a' },
        locale: 'da',
      };
      const res = await t.call('POST', '/me/push-subscriptions', { as: token, body });
      expect(res.status, res.text).toBe(201);
    }
  });

  it('acknowledges a silent device from the link in the push, and the chain stops before the lead', async () => {
    await raise('silentLinked', silentSince('dsp_01KAQ3YBS0T2V4X6Z8B0D2F4H6', '2026-11-23T06:00:00Z'));
    await t.drain();
    const alertId = ids.silentLinked ?? '';
    const push = pagedTo('it-ida', alertId)[0] as { url?: string } | undefined;
    const token = new URL(push?.url ?? 'https://x/').searchParams.get('ack') ?? '';
    expect(token).not.toBe('');
    expect(t.deps.scheduler.jobs.has(escalationScheduleName(alertId, 1))).toBe(true);

    const ack = await t.call('POST', `/alerts/${alertId}/ack-link`, { as: ida, body: { token } });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'it-ida' });
    expect(t.deps.scheduler.jobs.has(escalationScheduleName(alertId, 1))).toBe(false);
    clock.advanceMinutes(60);
    await t.deps.scheduler.runDue(clock.now());
    await t.drain();
    expect(pagedTo('lead-lis', alertId)).toHaveLength(0);
  });

  it('acknowledges and resolves a silent device in the console; the chain stops', async () => {
    await raise('silentConsole', silentSince('dsp_01KAQ3YCS0T2V4X6Z8B0D2F4H6', '2026-11-23T06:30:00Z'));
    await t.drain();
    const alertId = ids.silentConsole ?? '';
    expect(pagedTo('it-ida', alertId)).toHaveLength(1);

    const ack = await t.call('POST', `/alerts/${alertId}/ack`, { as: ida, body: { note: 'Checking the router' } });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'it-ida' });
    expect(t.deps.scheduler.jobs.has(escalationScheduleName(alertId, 1))).toBe(false);

    const resolved = await t.call('POST', `/alerts/${alertId}/resolve`, {
      as: ida,
      body: { note: 'Router restarted' },
    });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'it-ida' });
    clock.advanceMinutes(60);
    await t.deps.scheduler.runDue(clock.now());
    await t.drain();
    expect(pagedTo('lead-lis', alertId)).toHaveLength(0);
    expect(await kindsListed(ida, '?status=resolved')).toContain('device_silent');
  });

  it('a clinical alert is the 404 of an unknown one for support, and stays open', async () => {
    const ack = await t.call('POST', `/alerts/${ids.missed1}/ack`, { as: ida });
    expect(ack.status).toBe(404);
    expect(ack.headers.get('content-type')).toContain('application/problem+json');
    expect((await t.call('POST', `/alerts/${ids.missed1}/resolve`, { as: ida, body: { note: 'x' } })).status).toBe(404);
    expect(
      (await t.call('POST', `/alerts/${ids.missed2}/ack-link`, { as: ida, body: { token: 'x'.repeat(40) } })).status,
    ).toBe(404);
    expect((await t.call('GET', `/alerts/${ids.missed1}`, { as: as.anna })).body.status).toBe('open');
    // Another team's support cannot touch east's technical alerts either.
    const westIt = await t.token('support', 'it-west', 'west');
    expect((await t.call('POST', `/alerts/${ids.fault}/ack`, { as: westIt })).status).toBe(404);
  });
});
