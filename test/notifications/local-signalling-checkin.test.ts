import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWebServer, type WebServer } from '../../scripts/web-server.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import {
  annasWeek,
  book,
  newCitizen,
  setAvailability,
  visitActors,
  type VisitActors,
} from '../visits/visit-helpers.ts';

/**
 * Locally, a browser joining the call opens the Chime SDK's signalling WebSocket on the local web
 * server; opening and closing it are the attendee's join and leave, reported through
 * LocalMeetings as Chime's events, so the visit's check-in runs as on AWS. Here the socket is
 * opened as the SDK opens it (its subprotocols carry the join token).
 */
const clock = new FixedClock(new Date('2026-11-23T08:52:00Z')); // Monday 09:52 in Copenhagen
let t: TestApp;
let server: WebServer;
let as: VisitActors;
let karensTablet: string;
let karen: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  server = await startWebServer({
    fetch: t.app.fetch,
    webDir: mkdtempSync(join(tmpdir(), 'web-')),
    meetings: t.deps.meetings,
    now: () => clock.now(),
  });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek);
  karen = await newCitizen(t, as.assessor, 'Karen');
  karensTablet = await t.token('citizen', karen, 'east');
});
afterAll(async () => server?.close());

const open = (url: string, joinToken: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, ['_aws_wt_session', joinToken]);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
const attendance = async (visitId: string) =>
  (await t.call('GET', `/visits/${visitId}`, { as: as.anna })).body.attendance ?? {};

describe('check-in from a browser session on the local call', () => {
  it('the tablet’s signalling connection records when the citizen joined and left, as Chime’s events do', async () => {
    const visit = await book(t, as.anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-11-23T10:00:00+01:00' });
    expect((await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna })).status).toBe(200);
    const joined = await t.call('POST', `/visits/${visit.visitId}/join`, { as: karensTablet });
    expect(joined.status, joined.text).toBe(200);
    const { SignalingUrl } = joined.body.meeting.MediaPlacement;
    expect(SignalingUrl).toBe(
      `${server.url.replace('http', 'ws')}/local-chime/signal/${joined.body.meeting.MeetingId}`,
    );

    clock.set('2026-11-23T09:01:00Z');
    const ws = await open(SignalingUrl, joined.body.attendee.JoinToken);
    await expect.poll(() => attendance(visit.visitId)).toEqual({ citizenJoinedAt: '2026-11-23T09:01:00.000Z' });

    clock.set('2026-11-23T09:17:00Z');
    ws.close();
    await expect
      .poll(() => attendance(visit.visitId))
      .toEqual({ citizenJoinedAt: '2026-11-23T09:01:00.000Z', citizenLeftAt: '2026-11-23T09:17:00.000Z' });
  });

  it('a socket without a join token of the meeting is refused and records nothing', async () => {
    const visit = await book(t, as.anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-11-23T11:00:00+01:00',
    });
    clock.set('2026-11-23T09:56:00Z');
    const started = await t.call('POST', `/visits/${visit.visitId}/start`, { as: as.anna });
    const url = started.body.join.meeting.MediaPlacement.SignalingUrl;
    await expect(open(url, 'not-a-join-token')).rejects.toThrow(/403/);
    expect(await attendance(visit.visitId)).toEqual({});
  });
});
