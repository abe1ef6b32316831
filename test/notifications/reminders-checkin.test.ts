import { beforeAll, describe, expect, it } from 'vitest';
import { recordMeetingEvent } from '#shared/notifications/checkin.ts';
import { reminderText } from '#shared/notifications/reminders.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  annasWeek,
  book,
  newCitizen,
  setAvailability,
  visitActors,
  type VisitActors,
} from '../visits/visit-helpers.ts';

let t: TestApp;
let clock: FixedClock;
let as: VisitActors;
let karen: string;
let karensTablet: string;

/** Runs the schedules that are due, then delivers what they committed. */
const runDue = async (now: Date) => {
  const ran = await t.deps.scheduler.runDue(now);
  await t.drain();
  return ran;
};

beforeAll(async () => {
  clock = new FixedClock(new Date('2026-11-23T06:00:00Z')); // Monday 07:00 in Copenhagen
  t = await createTestApp({ clock });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek);
  karen = await newCitizen(t, as.assessor, 'Karen');
  karensTablet = await t.token('citizen', karen, 'east');
  expect(
    (
      await t.call('PUT', '/teams/east/contacts/stf-anna', {
        as: as.anna,
        body: { smsConsent: false, displayName: 'Anna' },
      })
    ).status,
  ).toBe(200);
  const tablet = await t.call('POST', '/me/push-subscriptions', {
    as: karensTablet,
    body: {
      endpoint: 'https://push.example.org/send/karen',
      keys: { p256dh: 'k', auth: 'a' },
      locale: 'da',
      device: 'tablet',
    },
  });
  expect(tablet.status, tablet.text).toBe(201);
  await t.call('POST', '/me/push-subscriptions', {
    as: as.anna,
    body: { endpoint: 'https://push.example.org/send/anna', keys: { p256dh: 'k', auth: 'a' }, locale: 'en' },
  });
});

async function visitAt(start: string, now: string): Promise<any> {
  clock.set('2026-11-23T06:00:00Z');
  const visit = await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start });
  clock.set(now);
  return visit;
}

describe('a visit reminder', () => {
  it('reaches the citizen’s tablet ("Anna calls you at 10:30", in the tablet’s language) and the staff member', async () => {
    await visitAt('2026-11-24T10:30:00+01:00', '2026-11-24T09:15:00Z');
    await runDue(clock.now());
    const tablet = (await t.call('GET', '/notifications/outbox', { as: karensTablet })).body.items;
    expect(tablet).toEqual([
      expect.objectContaining({ channel: 'push', title: 'Skærmbesøg', body: 'Anna ringer til dig kl. 10:30' }),
    ]);
    expect(t.deps.notifier.to('stf-anna')).toEqual([expect.objectContaining({ body: 'Screen visit at 10:30' })]);
    expect(reminderText('en', 'Anna', '10:30').body).toBe('Anna calls you at 10:30');
  });

  it('comes also at the team’s extra lead times, and not for a visit moved since', async () => {
    const chain = await t.call('PUT', '/teams/east/escalation', {
      as: as.lead,
      body: {
        leads: ['lead-lis'],
        clinical: [{ to: 'on-duty', channels: ['push'], timeoutMinutes: 10 }],
        technical: [{ to: 'support', channels: ['push'], timeoutMinutes: 30 }],
        reminderLeadMinutes: [120],
      },
    });
    expect(chain.status).toBe(200);
    const visit = await visitAt('2026-11-25T11:00:00+01:00', '2026-11-25T08:00:00Z'); // 09:00, two hours before
    expect(t.deps.scheduler.jobs.get(`visit-notify-${visit.visitId}-120`)?.at.toISOString()).toBe(
      '2026-11-25T08:00:00.000Z',
    );
    const before = t.deps.notifier.to(karen).length;
    await runDue(clock.now());
    expect(t.deps.notifier.to(karen).slice(before)).toEqual([
      expect.objectContaining({ body: 'Anna ringer til dig kl. 11:00' }),
    ]);

    const moved = await visitAt('2026-11-25T17:00:00+01:00', '2026-11-23T06:00:00Z');
    await t.call('PATCH', `/visits/${moved.visitId}`, { as: as.anna, body: { start: '2026-11-25T18:00:00+01:00' } });
    clock.set('2026-11-25T14:00:00Z'); // 15:00: the extra reminder made for 17:00 is stale
    await runDue(clock.now());
    const about = (time: string) => t.deps.notifier.to(karen).filter((m) => m.body.endsWith(time));
    expect(about('17:00')).toEqual([]);
    clock.set('2026-11-25T15:00:00Z');
    await runDue(clock.now());
    expect(about('18:00')).toEqual([
      expect.objectContaining({ at: '2026-11-25T15:00:00.000Z', body: 'Anna ringer til dig kl. 18:00' }),
    ]);
  });
});

describe('check-in from the video', () => {
  it('a citizen who never joins a started visit makes it a citizen-no-show', async () => {
    const visit = await visitAt('2026-11-26T09:00:00+01:00', '2026-11-26T07:58:00Z');
    const start = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(start.status).toBe(200);
    await t.deps.meetings.reportAttendee(
      start.body.join.meeting.MeetingId,
      start.body.join.attendee.AttendeeId,
      'joined',
      new Date('2026-11-26T07:59:00Z'),
    );
    // The tablet asked to join, but never connected: Chime's events say so.
    expect((await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet })).status).toBe(200);
    clock.set('2026-11-26T08:20:00Z');
    await runDue(clock.now());
    const missed = await t.call('GET', `/visits/${visit.visitId}`, { as: as.lead });
    expect(missed.body).toMatchObject({
      status: 'missed',
      missedReason: 'citizen-no-show',
      attendance: { staffJoinedAt: '2026-11-26T07:59:00.000Z' },
    });
    const alerts = await t.call('GET', '/alerts?status=open', { as: as.lead });
    expect(alerts.body.items).toContainEqual(
      expect.objectContaining({ kind: 'visit_missed', visitId: visit.visitId, details: { reason: 'citizen-no-show' } }),
    );
    expect(t.deps.events.ofType('VisitMissed').find((e) => e.detail.visitId === visit.visitId)?.detail).toMatchObject({
      reason: 'citizen-no-show',
      citizenJoined: false,
    });
  });

  it('a visit nobody started is a staff-no-show', async () => {
    const visit = await visitAt('2026-11-26T10:00:00+01:00', '2026-11-26T09:21:00Z');
    await runDue(clock.now());
    expect((await t.call('GET', `/visits/${visit.visitId}`, { as: as.lead })).body).toMatchObject({
      status: 'missed',
      missedReason: 'staff-no-show',
    });
  });

  it('shows the real duration from when both were in the meeting, whatever order the events came in', async () => {
    const visit = await visitAt('2026-11-26T11:00:00+01:00', '2026-11-26T09:59:00Z');
    const start = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    const join = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    const meetingId = start.body.join.meeting.MeetingId;
    await t.deps.meetings.reportAttendee(
      meetingId,
      join.body.attendee.AttendeeId,
      'left',
      new Date('2026-11-26T10:16:00Z'),
    );
    await t.deps.meetings.reportAttendee(
      meetingId,
      start.body.join.attendee.AttendeeId,
      'joined',
      new Date('2026-11-26T10:00:00Z'),
    );
    await t.deps.meetings.reportAttendee(
      meetingId,
      join.body.attendee.AttendeeId,
      'joined',
      new Date('2026-11-26T10:02:00Z'),
    );
    // A redelivered event changes nothing.
    expect(
      await recordMeetingEvent(t.deps, {
        eventType: 'chime:AttendeeJoined',
        timestamp: Date.parse('2026-11-26T10:02:00Z'),
        externalMeetingId: visit.visitId,
        externalUserId: `citizen-${karen}`,
      }),
    ).toEqual({ recorded: false });
    const shown = await t.call('GET', `/visits/${visit.visitId}`, { as: as.lead });
    expect(shown.body).toMatchObject({
      status: 'in_progress',
      actualMinutes: 14,
      attendance: {
        staffJoinedAt: '2026-11-26T10:00:00.000Z',
        citizenJoinedAt: '2026-11-26T10:02:00.000Z',
        citizenLeftAt: '2026-11-26T10:16:00.000Z',
      },
    });
    clock.set('2026-11-26T10:21:00Z');
    await runDue(clock.now());
    expect((await t.call('GET', `/visits/${visit.visitId}`, { as: as.lead })).body.status).toBe('in_progress');
  });
});
