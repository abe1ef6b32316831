import { beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '#shared/alerts/alerts.ts';
import { ESCALATION_STEP_JOB, escalationScheduleName } from '#shared/notifications/escalation.ts';
import { runNotifierJob } from '#shared/notifications/registry.ts';
import { newId } from '#shared/platform/ids.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { newCitizen } from '../visits/visit-helpers.ts';

// Saturday 28 November 2026, 20:05 in Copenhagen (UTC+1).
const saturdayEvening = new Date('2026-11-28T19:05:00Z');
const clock = new FixedClock(saturdayEvening);
let t: TestApp;
let lead: string;
let eve: string;
let sam: string;
let it_: string;
let assessor: string;

const subscription = (name: string) => ({
  endpoint: `https://push.example.org/send/${name}`,
  keys: { p256dh: `p256dh-${name}`, auth: `auth-${name}` },
  locale: 'da',
});

/** Raises as a detection job does, then lets the stream deliver AlertRaised (the outbox). */
const raised = async (...args: Parameters<typeof raiseAlert> extends [unknown, ...infer R] ? R : never) => {
  const result = await raiseAlert(t.deps, ...args);
  await t.drain();
  return result;
};
/** Runs the schedules that are due, then delivers what they committed. */
const runDue = async (now: Date) => {
  const ran = await t.deps.scheduler.runDue(now);
  await t.drain();
  return ran;
};

beforeAll(async () => {
  t = await createTestApp({ clock });
  lead = await t.token('lead', 'lead-lis', 'east');
  eve = await t.token('staff', 'stf-eve', 'east');
  sam = await t.token('staff', 'stf-sam', 'east');
  it_ = await t.token('support', 'it-ida', 'east');
  assessor = await t.token('assessor', 'asr-east', 'east');
  const evenings = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '16:00', end: '24:00' }));
  const roster = await t.call('PUT', '/teams/east/duty-roster', {
    as: lead,
    body: {
      entries: [
        { staffId: 'stf-eve', duty: 'on-duty', weekly: evenings },
        { staffId: 'stf-sam', duty: 'second', weekly: evenings },
        {
          staffId: 'it-ida',
          duty: 'support',
          weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
        },
      ],
    },
  });
  expect(roster.status, roster.text).toBe(200);
  const chain = await t.call('PUT', '/teams/east/escalation', {
    as: lead,
    body: {
      leads: ['lead-lis'],
      clinical: [
        { to: 'on-duty', channels: ['push'], timeoutMinutes: 10 },
        { to: 'second', channels: ['sms'], timeoutMinutes: 10 },
        { to: 'lead', channels: ['push', 'sms'], timeoutMinutes: 10 },
      ],
      technical: [{ to: 'support', channels: ['push'], timeoutMinutes: 30 }],
    },
  });
  expect(chain.status, chain.text).toBe(200);
  for (const [as, name] of [
    [eve, 'eve'],
    [lead, 'lis'],
    [it_, 'ida'],
  ] as const) {
    const res = await t.call('POST', '/me/push-subscriptions', { as, body: subscription(name) });
    expect(res.status, res.text).toBe(201);
  }
  expect(
    (await t.call('PUT', '/teams/east/contacts/stf-sam', { as: sam, body: { phone: '+4522334455', smsConsent: true } }))
      .status,
  ).toBe(200);
  expect(
    (
      await t.call('PUT', '/teams/east/contacts/lead-lis', {
        as: lead,
        body: { phone: '+4599887766', smsConsent: true },
      })
    ).status,
  ).toBe(200);
});

const missedDose = (citizenId: string, doseAt: string) => ({
  kind: 'missed_dose' as const,
  team: 'east',
  citizenId,
  dedupKey: `missed_dose#${citizenId}#${doseAt}`,
  summary: `Dose at ${doseAt} not taken`,
  occurredAt: new Date(doseAt),
  details: { doseAt },
});

const outboxOf = async (recipient: string) =>
  (await t.call('GET', `/notifications/outbox?recipient=${recipient}`, { as: lead })).body.items as {
    channel: string;
    body: string;
    url?: string;
    at: string;
  }[];

describe('the duty roster', () => {
  it('says who is on duty now in one request, evenings and weekends included', async () => {
    const res = await t.call('GET', '/teams/east/on-duty', { as: eve });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      onDuty: ['stf-eve'],
      second: ['stf-sam'],
      support: ['it-ida'],
      leads: ['lead-lis'],
    });
    expect((await t.call('GET', '/teams/west/on-duty', { as: eve })).status).toBe(404);
    expect(
      (await t.call('PUT', '/teams/east/escalation', { as: eve, body: { leads: [], clinical: [], technical: [] } }))
        .status,
    ).toBe(403);
  });

  it('follows the wall clock across the change to winter time', async () => {
    const dstClock = new FixedClock(new Date('2026-10-24T18:05:00Z')); // Saturday 20:05 summer time (UTC+2)
    const dst = await createTestApp({ clock: dstClock });
    const lis = await dst.token('lead', 'lead-lis', 'east');
    const weekend = [6, 7].map((weekday) => ({ weekday, start: '20:00', end: '21:00' }));
    expect(
      (
        await dst.call('PUT', '/teams/east/duty-roster', {
          as: lis,
          body: { entries: [{ staffId: 'stf-eve', duty: 'on-duty', weekly: weekend }] },
        })
      ).status,
    ).toBe(200);
    const onDuty = async () => (await dst.call('GET', '/teams/east/on-duty', { as: lis })).body.onDuty;
    expect(await onDuty()).toEqual(['stf-eve']);
    dstClock.set('2026-10-25T19:05:00Z'); // Sunday 20:05 winter time (UTC+1), the day the clocks went back
    expect(await onDuty()).toEqual(['stf-eve']);
    dstClock.set('2026-10-25T18:05:00Z'); // Sunday 19:05 local: not yet
    expect(await onDuty()).toEqual([]);
  });
});

describe('a missed dose at 20:05 on a Saturday', () => {
  it('pages the person on duty by push, then the second by SMS after the timeout, then the lead, then the team alarm', async () => {
    clock.set(saturdayEvening);
    const citizenId = newId('cit');
    const { alertId } = await raised(missedDose(citizenId, '2026-11-28T19:00:00.000Z'));
    if (!alertId) throw new Error('not raised');

    const toEve = (await outboxOf('stf-eve')).filter((m) => m.url?.includes(alertId));
    expect(toEve).toHaveLength(1);
    expect(toEve[0]).toMatchObject({ channel: 'push' });
    // A reference and a link, nothing about the citizen or the dose.
    expect(toEve[0]?.body).not.toMatch(/dose|medic|cit_/i);
    expect((await outboxOf('stf-sam')).filter((m) => m.body.includes(alertId.slice(-6)))).toHaveLength(0);

    clock.advanceMinutes(10);
    await runDue(clock.now());
    const toSam = (await outboxOf('stf-sam')).filter((m) => m.body.includes(alertId.slice(-6)));
    expect(toSam).toEqual([expect.objectContaining({ channel: 'sms', at: '2026-11-28T19:15:00.000Z' })]);
    expect(toSam[0]?.body).toContain(`/console/?ack=`);
    expect(toSam[0]?.body).toContain(`#/alerts/${alertId}`);

    clock.advanceMinutes(10);
    await runDue(clock.now());
    const toLead = (await outboxOf('lead-lis')).filter(
      (m) => m.body.includes(alertId.slice(-6)) || m.url?.includes(alertId),
    );
    expect(toLead.map((m) => m.channel).sort()).toEqual(['push', 'sms']);

    clock.advanceMinutes(10);
    await runDue(clock.now());
    expect(t.deps.alarms.published.filter((a) => a.message.includes(alertId))).toHaveLength(1);

    // A step never fires twice, however often its schedule is delivered.
    const again = await runNotifierJob(t.deps, ESCALATION_STEP_JOB, { alertId, step: 1 });
    expect(again).toMatchObject({ fired: false, reason: 'already-fired' });
    expect((await outboxOf('stf-sam')).filter((m) => m.body.includes(alertId.slice(-6)))).toHaveLength(1);

    const alert = await t.call('GET', `/alerts/${alertId}`, { as: eve });
    expect(alert.status).toBe(200);
    const attempts = alert.body.deliveries as { channel: string; recipient: string; outcome: string; step: number }[];
    expect(attempts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: 0, channel: 'push', recipient: 'stf-eve', outcome: 'sent' }),
        expect.objectContaining({ step: 1, channel: 'sms', recipient: 'stf-sam', outcome: 'sent' }),
        expect.objectContaining({ step: 2, channel: 'sms', recipient: 'lead-lis', outcome: 'sent' }),
        expect.objectContaining({ channel: 'alarm-topic', outcome: 'sent' }),
      ]),
    );
  });

  it('stops when acknowledged from the link in the push: the pending step is removed, the link works once', async () => {
    clock.set(saturdayEvening);
    const { alertId } = await raised(missedDose(newId('cit'), '2026-11-28T18:00:00.000Z'));
    if (!alertId) throw new Error('not raised');
    const push = (await outboxOf('stf-eve')).find((m) => m.url?.includes(alertId));
    const token = new URL(push?.url ?? '').searchParams.get('ack') ?? '';
    expect(t.deps.scheduler.jobs.has(escalationScheduleName(alertId, 1))).toBe(true);

    clock.advanceMinutes(3);
    const ack = await t.call('POST', `/alerts/${alertId}/ack-link`, { as: eve, body: { token } });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'stf-eve' });
    expect(t.deps.scheduler.jobs.has(escalationScheduleName(alertId, 1))).toBe(false);

    const twice = await t.call('POST', `/alerts/${alertId}/ack-link`, { as: eve, body: { token } });
    expect(twice.status).toBe(409);
    const forged = await t.call('POST', `/alerts/${alertId}/ack-link`, {
      as: eve,
      body: { token: `${token.slice(0, -3)}abc` },
    });
    expect(forged.status).toBe(400);

    clock.advanceMinutes(60);
    await runDue(clock.now());
    expect(await runNotifierJob(t.deps, ESCALATION_STEP_JOB, { alertId, step: 1 })).toMatchObject({
      fired: false,
      reason: 'not-open',
    });
    expect((await outboxOf('stf-sam')).filter((m) => m.body.includes(alertId.slice(-6)))).toHaveLength(0);
  });

  it('stops at any step when acknowledged in the console', async () => {
    clock.set(saturdayEvening);
    const { alertId } = await raised(missedDose(newId('cit'), '2026-11-28T17:00:00.000Z'));
    clock.advanceMinutes(10);
    await runDue(clock.now());
    expect((await outboxOf('stf-sam')).filter((m) => m.body.includes(String(alertId).slice(-6)))).toHaveLength(1);
    expect((await t.call('POST', `/alerts/${alertId}/ack`, { as: sam })).status).toBe(200);
    clock.advanceMinutes(30);
    await runDue(clock.now());
    expect(
      (await outboxOf('lead-lis')).filter(
        (m) => m.body.includes(String(alertId).slice(-6)) || m.url?.includes(String(alertId)),
      ),
    ).toHaveLength(0);
  });

  it('pages nobody while the citizen’s alerts are paused', async () => {
    clock.set(saturdayEvening);
    const citizenId = await newCitizen(t, assessor);
    const pause = await t.call('POST', `/citizens/${citizenId}/alert-pauses`, {
      as: eve,
      body: { from: '2026-11-27T08:00:00+01:00', to: '2026-12-05T08:00:00+01:00', reason: 'hospital' },
    });
    expect(pause.status, pause.text).toBe(201);
    const before = t.deps.notifier.outbox.length;
    const { alertId } = await raised(missedDose(citizenId, '2026-11-28T19:00:00.000Z'));
    expect(t.deps.notifier.outbox.length).toBe(before);
    clock.advanceMinutes(60);
    await runDue(clock.now());
    expect(t.deps.notifier.outbox.length).toBe(before);
    const alert = await t.call('GET', `/alerts/${alertId}`, { as: eve });
    expect(alert.body.deliveries).toEqual([
      expect.objectContaining({ outcome: 'suppressed', detail: 'alerts paused for the citizen' }),
    ]);
    const badPause = await t.call('POST', `/citizens/${citizenId}/alert-pauses`, {
      as: eve,
      body: { from: '2026-12-05T08:00:00+01:00', to: '2026-12-01T08:00:00+01:00', reason: 'x' },
    });
    expect(badPause.status).toBe(400);
  });

  it('waits the citizen’s missed-dose delay before the first page', async () => {
    clock.set(saturdayEvening);
    const citizenId = await newCitizen(t, assessor);
    expect(
      (await t.call('PUT', `/citizens/${citizenId}/alert-settings`, { as: eve, body: { missedDoseDelayMinutes: 15 } }))
        .status,
    ).toBe(200);
    const { alertId } = await raised(missedDose(citizenId, '2026-11-28T18:30:00.000Z'));
    expect((await outboxOf('stf-eve')).filter((m) => m.url?.includes(String(alertId)))).toHaveLength(0);
    clock.advanceMinutes(15);
    await runDue(clock.now());
    expect((await outboxOf('stf-eve')).filter((m) => m.url?.includes(String(alertId)))).toHaveLength(1);
  });
});

describe('a relative', () => {
  it('hears by SMS only with recorded consent, only that the team was alerted, with a reference', async () => {
    clock.set(saturdayEvening);
    const citizenId = await newCitizen(t, assessor);
    const noConsent = await t.call('PUT', `/citizens/${citizenId}/relative-contact`, {
      as: eve,
      body: { phone: '+4511112222', consent: { given: false, givenBy: 'citizen', kinds: ['missed_dose'] } },
    });
    expect(noConsent.status).toBe(400);
    const set = await t.call('PUT', `/citizens/${citizenId}/relative-contact`, {
      as: eve,
      body: { phone: '+4511112222', consent: { given: true, givenBy: 'citizen', kinds: ['missed_dose'] } },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ consentRecordedBy: 'stf-eve', consentRecordedAt: saturdayEvening.toISOString() });
    const { alertId } = await raised(missedDose(citizenId, '2026-11-28T15:00:00.000Z'));
    const sms = t.deps.notifier.to(`relative-of-${citizenId}`);
    expect(sms).toEqual([expect.objectContaining({ channel: 'sms', to: '+4511112222' })]);
    expect(sms[0]?.body).toContain(String(alertId).slice(-6));
    expect(sms[0]?.body).not.toMatch(/dose|medic|http/i);
    const visitAlert = await raised({
      kind: 'visit_missed',
      team: 'east',
      citizenId,
      dedupKey: `visit_missed#${newId('vis')}`,
      summary: 'x',
      occurredAt: clock.now(),
    });
    expect(visitAlert.raised).toBe(true);
    expect(t.deps.notifier.to(`relative-of-${citizenId}`)).toHaveLength(1);
  });
});

describe('technical alerts', () => {
  it('go to IT support, not to care staff; after a resolved fault a quiet period pages nobody', async () => {
    clock.set(saturdayEvening);
    const dispenserId = newId('dsp');
    const fault = {
      kind: 'device_fault' as const,
      team: 'east',
      dispenserId,
      dedupKey: `device_fault#${dispenserId}#jammed`,
      summary: 'jammed',
      occurredAt: clock.now(),
      reraiseAfterResolve: true,
    };
    const { alertId } = await raised(fault);
    expect((await outboxOf('it-ida')).filter((m) => m.url?.includes(String(alertId)))).toHaveLength(1);
    expect((await outboxOf('stf-eve')).filter((m) => m.url?.includes(String(alertId)))).toHaveLength(0);
    expect((await t.call('POST', `/alerts/${alertId}/resolve`, { as: lead, body: { note: 'unjammed' } })).status).toBe(
      200,
    );

    clock.advanceMinutes(5);
    const flapped = await raised(fault);
    expect(flapped.raised).toBe(true);
    expect((await outboxOf('it-ida')).filter((m) => m.url?.includes(String(flapped.alertId)))).toHaveLength(0);
    const shown = await t.call('GET', `/alerts/${flapped.alertId}`, { as: it_ });
    expect(shown.body.deliveries[0]).toMatchObject({ outcome: 'suppressed' });
  });
});

describe('push subscriptions', () => {
  it('are removed when the push service says they are gone', async () => {
    clock.set(saturdayEvening);
    const tablet = await t.token('staff', 'stf-gone', 'east');
    await t.call('PUT', '/teams/east/duty-roster', {
      as: lead,
      body: {
        entries: [
          { staffId: 'stf-gone', duty: 'on-duty', weekly: [{ weekday: 6, start: '00:00', end: '24:00' }] },
          { staffId: 'stf-sam', duty: 'second', weekly: [{ weekday: 6, start: '00:00', end: '24:00' }] },
        ],
      },
    });
    const added = await t.call('POST', '/me/push-subscriptions', { as: tablet, body: subscription('gone') });
    expect((await t.call('POST', '/me/push-subscriptions', { as: tablet, body: subscription('gone') })).status).toBe(
      200,
    );
    t.deps.notifier.goneEndpoints.add(subscription('gone').endpoint);
    const { alertId } = await raised(missedDose(newId('cit'), '2026-11-28T16:00:00.000Z'));
    expect((await t.call('GET', '/me/push-subscriptions', { as: tablet })).body.items).toEqual([]);
    const alert = await t.call('GET', `/alerts/${alertId}`, { as: lead });
    expect(alert.body.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recipient: 'stf-gone', to: added.body.subscriptionId, outcome: 'gone' }),
      ]),
    );
    // Nobody was reached on duty, so the second is paged at once rather than after the timeout.
    expect((await outboxOf('stf-sam')).filter((m) => m.body.includes(String(alertId).slice(-6)))).toHaveLength(1);
    expect((await t.call('DELETE', `/me/push-subscriptions/${added.body.subscriptionId}`, { as: tablet })).status).toBe(
      404,
    );
  });

  it('rejects a subscription that is not https or has unknown fields', async () => {
    expect(
      (
        await t.call('POST', '/me/push-subscriptions', {
          as: eve,
          body: { ...subscription('x'), endpoint: 'http://push.example.org/x' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await t.call('POST', '/me/push-subscriptions', { as: eve, body: { ...subscription('x'), extra: 1 } })).status,
    ).toBe(400);
    expect((await t.call('GET', '/notifications/vapid-public-key', { as: eve })).status).toBe(503);
  });
});
