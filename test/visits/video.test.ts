import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '#shared/platform/errors.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  annasWeek,
  book,
  bosWeek,
  newCitizen,
  setAvailability,
  visitActors,
  type VisitActors,
} from './visit-helpers.ts';

let t: TestApp;
let clock: FixedClock;
let as: VisitActors;
let karen: string;
let karensTablet: string;
let jensTablet: string;

beforeAll(async () => {
  clock = new FixedClock(new Date('2026-11-23T06:00:00Z')); // Monday 07:00 in Copenhagen
  t = await createTestApp({ clock });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek);
  await setAvailability(t, as.bo, 'stf-bo', bosWeek);
  karen = await newCitizen(t, as.assessor, 'Karen');
  const jens = await newCitizen(t, as.assessor, 'Jens');
  karensTablet = await t.token('citizen', karen, 'east');
  jensTablet = await t.token('citizen', jens, 'east');
});

/** A visit for Karen with Anna at `start` (Copenhagen time, +01:00), the clock put at `now`. */
async function visitAt(start: string, now: string): Promise<any> {
  clock.set('2026-11-23T06:00:00Z');
  const visit = await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start });
  clock.set(now);
  return visit;
}

describe('the citizen joins from the tablet', () => {
  it('joins inside the window, is refused before it and after it, and never sees another citizen’s visit', async () => {
    const visit = await visitAt('2026-11-23T09:00:00+01:00', '2026-11-23T07:45:00Z'); // 08:45, 15 minutes early
    const early = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    expect(early.status).toBe(409);
    expect(early.body.reason).toBe('too-early');

    clock.set('2026-11-23T07:52:00Z'); // 08:52, inside the 10 early minutes
    const joined = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    expect(joined.status).toBe(200);
    expect(joined.body.attendee).toMatchObject({ ExternalUserId: `citizen-${karen}`, JoinToken: expect.any(String) });
    expect(joined.body.meeting).toMatchObject({
      ExternalMeetingId: visit.visitId,
      MediaRegion: t.config.CHIME_MEDIA_REGION,
    });

    expect((await t.call('POST', `/visits/${visit.visitId}/join`, { as: jensTablet })).status).toBe(404);
    expect((await t.call('POST', `/visits/${visit.visitId}/join`, { as: as.anna })).status).toBe(403);

    clock.set('2026-11-23T08:21:00Z'); // 09:21, the 20-minute visit is over
    const late = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    expect(late.status).toBe(409);
    expect(late.body.reason).toBe('window-over');
  });
});

describe('the staff member runs the visit', () => {
  it('starts it (a retry gives the same meeting), the citizen joins it, a relative is added, and the outcome closes it', async () => {
    const visit = await visitAt('2026-11-23T10:00:00+01:00', '2026-11-23T08:58:00Z');
    const created = t.deps.meetings.createdCount;

    expect((await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.bo })).status).toBe(403);
    const started = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(started.status).toBe(200);
    expect(started.body.visit).toMatchObject({ status: 'in_progress', startedAt: '2026-11-23T08:58:00.000Z' });
    expect(started.body.join.attendee.ExternalUserId).toBe('staff-stf-anna');
    const again = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(again.body.join.meeting.MeetingId).toBe(started.body.join.meeting.MeetingId);
    expect(t.deps.meetings.createdCount - created).toBe(1);
    expect(t.deps.events.ofType('VisitStarted').filter((e) => e.detail.visitId === visit.visitId)).toHaveLength(1);

    const citizen = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    expect(citizen.body.meeting.MeetingId).toBe(started.body.join.meeting.MeetingId);

    const asked = await t.call('POST', `/visits/${visit.visitId}/guests`, { as: as.anna, body: { kind: 'relative' } });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ kind: 'relative', guestId: expect.stringMatching(/^gst_/), consent: 'pending' });
    expect(asked.body).not.toHaveProperty('attendee');
    // No join data for the guest until Karen consents on her tablet.
    const refused = await t.call('POST', `/visits/${visit.visitId}/guests/${asked.body.guestId}/join`, { as: as.anna });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('consent-missing');
    expect(
      (
        await t.call('POST', `/visits/${visit.visitId}/guests/${asked.body.guestId}/consent`, {
          as: jensTablet,
          body: { consent: true },
        })
      ).status,
    ).toBe(404);
    const consent = await t.call('POST', `/visits/${visit.visitId}/guests/${asked.body.guestId}/consent`, {
      as: karensTablet,
      body: { consent: true },
    });
    expect(consent.status).toBe(200);
    expect(consent.body).toMatchObject({ consent: 'given', consentAt: '2026-11-23T08:58:00.000Z' });
    const guest = await t.call('POST', `/visits/${visit.visitId}/guests/${asked.body.guestId}/join`, { as: as.anna });
    expect(guest.status).toBe(200);
    expect(guest.body).toMatchObject({
      kind: 'relative',
      guestId: asked.body.guestId,
      meeting: { MeetingId: started.body.join.meeting.MeetingId },
    });
    const tokens = new Set([
      started.body.join.attendee.JoinToken,
      again.body.join.attendee.JoinToken,
      citizen.body.attendee.JoinToken,
      guest.body.attendee.JoinToken,
    ]);
    expect(tokens.size).toBe(4);

    // Join tokens are never stored: not in the visit item, not in what GET returns.
    const stored = await t.deps.table.db.send(
      new GetCommand({ TableName: t.deps.table.name, Key: visitKeys.visit(visit.visitId) }),
    );
    const read = await t.call('GET', `/visits/${visit.visitId}`, { as: as.lead });
    for (const token of tokens) {
      expect(JSON.stringify(stored.Item)).not.toContain(token);
      expect(read.text).not.toContain(token);
    }
    expect(read.body.guests).toEqual([
      {
        guestId: guest.body.guestId,
        kind: 'relative',
        addedAt: '2026-11-23T08:58:00.000Z',
        consent: 'given',
        consentAt: '2026-11-23T08:58:00.000Z',
      },
    ]);

    clock.set('2026-11-23T09:18:00Z');
    const done = await t.call('POST', `/visits/${visit.visitId}/complete`, {
      as: as.anna,
      body: { result: 'delivered', notes: 'Took the medicine; mood good.' },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'completed',
      completedAt: '2026-11-23T09:18:00.000Z',
      outcome: { result: 'delivered', notes: 'Took the medicine; mood good.' },
    });
    expect(t.deps.meetings.meetings.has(started.body.join.meeting.MeetingId)).toBe(false);
    const completed = t.deps.events.ofType('VisitCompleted').find((e) => e.detail.visitId === visit.visitId);
    expect(completed?.detail).toMatchObject({ result: 'delivered', staffId: 'stf-anna' });
    expect(JSON.stringify(completed)).not.toContain('medicine');
    expect(
      (await t.call('POST', `/visits/${visit.visitId}/complete`, { as: as.anna, body: { result: 'delivered' } }))
        .status,
    ).toBe(409);
    expect((await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna })).status).toBe(409);
  });

  it('a failing CreateAttendee leaves the visit startable, with a clear 502 and nothing written', async () => {
    const visit = await visitAt('2026-11-23T11:00:00+01:00', '2026-11-23T09:55:00Z');
    t.deps.meetings.failNext('createAttendee');
    const failed = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(failed.status).toBe(502);
    expect(failed.headers.get('content-type')).toBe('application/problem+json');
    expect(failed.body.type).toMatch(/upstream-unavailable$/);
    const untouched = await t.call('GET', `/visits/${visit.visitId}`, { as: as.anna });
    expect(untouched.body).toMatchObject({ status: 'scheduled', version: 1 });
    expect(untouched.body.startedAt).toBeUndefined();

    const retried = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(retried.status).toBe(200);
    expect(retried.body.visit.status).toBe('in_progress');
    // The retry's idempotency token found the meeting the failed attempt made.
    expect([...t.deps.meetings.meetings.values()].filter((m) => m.externalMeetingId === visit.visitId)).toHaveLength(1);
  });

  it('a throttled video service is a 503', async () => {
    const visit = await visitAt('2026-11-23T11:30:00+01:00', '2026-11-23T10:25:00Z');
    t.deps.meetings.failNext(
      'createMeeting',
      new UpstreamError('chime', 'The video service is busy; try again in a moment.', 503),
    );
    const res = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(res.status).toBe(503);
  });

  it('a citizen who joins after the meeting ended finds it made again', async () => {
    const visit = await visitAt('2026-11-23T17:00:00+01:00', '2026-11-23T16:00:00Z');
    const started = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    t.deps.meetings.endMeeting(started.body.join.meeting.MeetingId); // Chime ended it after 5 idle minutes
    clock.set('2026-11-23T16:09:00Z');
    const joined = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    expect(joined.status).toBe(200);
    const recreated = joined.body.meeting.MeetingId;
    expect(recreated).not.toBe(started.body.join.meeting.MeetingId);
    const rejoined = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    expect(rejoined.body.join.meeting.MeetingId).toBe(recreated);
  });

  it('guests need a started visit; completing needs one too', async () => {
    const visit = await visitAt('2026-11-23T18:00:00+01:00', '2026-11-23T16:55:00Z');
    expect(
      (await t.call('POST', `/visits/${visit.visitId}/guests`, { as: as.anna, body: { kind: 'professional' } })).status,
    ).toBe(409);
    expect(
      (await t.call('POST', `/visits/${visit.visitId}/complete`, { as: as.anna, body: { result: 'delivered' } }))
        .status,
    ).toBe(409);
    expect(
      (await t.call('POST', `/visits/${visit.visitId}/guests`, { as: as.anna, body: { kind: 'neighbour' } })).status,
    ).toBe(400);
  });
});

describe('reminders and no-shows', () => {
  it('reminds before the start, and a visit nobody started becomes missed with an alert', async () => {
    const visit = await visitAt('2026-11-24T09:00:00+01:00', '2026-11-24T07:44:00Z');
    await t.deps.scheduler.runDue(new Date('2026-11-24T07:46:00Z'));
    await t.drain();
    expect(t.deps.events.ofType('VisitReminderDue').filter((e) => e.detail.visitId === visit.visitId)).toHaveLength(1);

    clock.set('2026-11-24T08:20:00Z');
    await t.deps.scheduler.runDue(clock.now());
    await t.drain();
    const missed = await t.call('GET', `/visits/${visit.visitId}`, { as: as.lead });
    expect(missed.body).toMatchObject({ status: 'missed', missedAt: '2026-11-24T08:20:00.000Z' });
    const event = t.deps.events.ofType('VisitMissed').find((e) => e.detail.visitId === visit.visitId);
    expect(event?.detail).toMatchObject({ citizenJoined: false, alertId: expect.stringMatching(/^alr_/) });
    const alerts = await t.call('GET', '/alerts?status=open', { as: as.lead });
    expect(alerts.body.items).toContainEqual(
      expect.objectContaining({
        kind: 'visit_missed',
        visitId: visit.visitId,
        citizenId: karen,
        dedupKey: `visit_missed#${visit.visitId}`,
      }),
    );
    // Running the check again changes nothing and raises nothing.
    await t.deps.scheduler.scheduleOnce({
      name: 'again',
      at: clock.now(),
      job: 'visit-no-show-check',
      payload: { visitId: visit.visitId },
    });
    await t.deps.scheduler.runDue(clock.now());
    const after = await t.call('GET', '/alerts?status=open', { as: as.lead });
    expect(after.body.items.filter((a: any) => a.visitId === visit.visitId)).toHaveLength(1);
  });

  it('a started visit the citizen joined is not missed, and a moved visit is checked at its new end', async () => {
    const started = await visitAt('2026-11-24T10:00:00+01:00', '2026-11-24T09:00:00Z');
    await t.call('POST', `/visits/${started.visitId}/start`, { as: as.anna });
    expect((await t.call('POST', `/visits/${started.visitId}/join`, { as: karensTablet })).status).toBe(200);
    const moved = await visitAt('2026-11-24T11:00:00+01:00', '2026-11-23T06:00:00Z');
    // The reminder made for 11:00 is stale once the visit moves to 17:00.
    const reminderBefore = t.deps.scheduler.jobs.get(`visit-reminder-${moved.visitId}`);
    await t.call('PATCH', `/visits/${moved.visitId}`, { as: as.anna, body: { start: '2026-11-24T17:00:00+01:00' } });
    expect(reminderBefore?.at.toISOString()).toBe('2026-11-24T09:45:00.000Z');

    clock.set('2026-11-24T10:30:00Z');
    await t.deps.scheduler.runDue(clock.now());
    expect((await t.call('GET', `/visits/${started.visitId}`, { as: as.lead })).body.status).toBe('in_progress');
    expect((await t.call('GET', `/visits/${moved.visitId}`, { as: as.lead })).body.status).toBe('scheduled');
    expect(t.deps.events.ofType('VisitReminderDue').filter((e) => e.detail.visitId === moved.visitId)).toHaveLength(0);
    clock.set('2026-11-24T16:21:00Z');
    await t.deps.scheduler.runDue(clock.now());
    expect((await t.call('GET', `/visits/${moved.visitId}`, { as: as.lead })).body.status).toBe('missed');
  });
});
