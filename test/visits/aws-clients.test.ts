import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteMeetingCommand,
  GetMeetingCommand,
  NotFoundException,
  BadRequestException,
  ThrottlingException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '#shared/http/app.ts';
import { localVerifier } from '#shared/http/auth.ts';
import type { Router } from '#shared/http/env.ts';
import { allRouters, deviceRoutes } from '#shared/app/routers.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { EventBridgeScheduler } from '#shared/platform/eventbridge-scheduler.ts';
import { ChimeMeetings } from '#shared/visits/chime-meetings.ts';
import { consume, consumers } from '#shared/app/event-registry.ts';
import { LocalStreamPoller } from '#shared/domain-events/local-stream.ts';
import { streamHandlers } from '#shared/app/stream-registry.ts';
import { LocalEventBus } from '#shared/platform/event-bus.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { annasWeek, newCitizen, setAvailability, visitActors, type VisitActors } from './visit-helpers.ts';

/**
 * The AWS implementations behind the visit flow, on mocked AWS clients (aws-sdk-client-mock),
 * driven through the HTTP app on DynamoDB Local: only Chime and Scheduler are mocked.
 */
const chime = mockClient(ChimeSDKMeetingsClient);
const scheduler = mockClient(SchedulerClient);

let t: TestApp;
let clock: FixedClock;
let as: VisitActors;
let karen: string;
let app: Router;
/** The table's stream delivered to consumers running on these deps (the AWS scheduler and Chime behind them). */
let stream: LocalStreamPoller;

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const parsed = { status: res.status, body: (await res.json()) as any };
  await stream.drain();
  return parsed;
}

const meeting = (id: string, externalMeetingId: string) => ({
  MeetingId: id,
  ExternalMeetingId: externalMeetingId,
  MediaRegion: 'eu-central-1',
  MediaPlacement: { AudioHostUrl: 'x', SignalingUrl: 'wss://x' },
});

beforeAll(async () => {
  clock = new FixedClock(new Date('2026-11-23T06:00:00Z'));
  t = await createTestApp({ clock, config: { CHIME_MEDIA_REGION: 'eu-central-1' } });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek);
  karen = await newCitizen(t, as.assessor);
  const deps: Deps = {
    ...t.deps,
    meetings: new ChimeMeetings(new ChimeSDKMeetingsClient({ region: 'eu-north-1' }), t.config.CHIME_MEDIA_REGION, {
      attempts: 3,
      baseDelayMs: 1,
    }),
    scheduler: new EventBridgeScheduler(new SchedulerClient({ region: 'eu-north-1' }), {
      groupName: 'e-team-test',
      targetArn: 'arn:aws:lambda:eu-north-1:111122223333:function:run-job',
      roleArn: 'arn:aws:iam::111122223333:role/scheduler',
    }),
  };
  app = createApp(deps, { verifier: localVerifier(t.config), routers: allRouters(), deviceRoutes });
  const bus = new LocalEventBus();
  for (const type of Object.keys(consumers)) bus.subscribe(type, (event) => consume({ ...deps, events: bus }, event));
  stream = new LocalStreamPoller({ ...deps, events: bus }, t.config.DYNAMODB_ENDPOINT ?? '', streamHandlers);
});

beforeEach(() => {
  chime.reset();
  scheduler.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
});

async function bookAt(start: string): Promise<string> {
  clock.set('2026-11-23T06:00:00Z');
  const res = await call('POST', '/visits', as.anna, {
    citizenId: karen,
    staffId: 'stf-anna',
    start,
    durationMinutes: 20,
    purpose: { grantId: 'grt_1', service: 'support_conversation' },
  });
  expect(res.status).toBe(201);
  return res.body.visitId;
}

describe('ChimeMeetings behind POST /visits/{id}/start', () => {
  it('a retried start makes one meeting: the same ClientRequestToken, ExternalMeetingId = visit id, the configured media region', async () => {
    const visitId = await bookAt('2026-11-23T09:00:00+01:00');
    clock.set('2026-11-23T07:55:00Z');
    // Chime answers the same token with the same meeting, as its idempotency promises.
    const byToken = new Map<string, string>();
    chime.on(CreateMeetingCommand).callsFake((input: { ClientRequestToken: string; ExternalMeetingId: string }) => {
      if (!byToken.has(input.ClientRequestToken)) byToken.set(input.ClientRequestToken, `mtg-${byToken.size + 1}`);
      return { Meeting: meeting(byToken.get(input.ClientRequestToken) ?? '', input.ExternalMeetingId) };
    });
    chime
      .on(CreateAttendeeCommand)
      .rejectsOnce(new BadRequestException({ message: 'attendee refused', $metadata: {} }))
      .resolves({ Attendee: { AttendeeId: 'att-1', ExternalUserId: 'staff-stf-anna', JoinToken: 'secret-token' } });

    const failed = await call('POST', `/visits/${visitId}/start`, as.anna);
    expect(failed.status).toBe(502);
    const stillScheduled = await call('GET', `/visits/${visitId}`, as.anna);
    expect(stillScheduled.body).toMatchObject({ status: 'scheduled', version: 1 });

    const retried = await call('POST', `/visits/${visitId}/start`, as.anna);
    expect(retried.status).toBe(200);
    expect(retried.body.join).toMatchObject({
      meeting: { MeetingId: 'mtg-1' },
      attendee: { AttendeeId: 'att-1', JoinToken: 'secret-token' },
    });

    const creates = chime.commandCalls(CreateMeetingCommand).map((c) => c.args[0].input);
    expect(creates).toHaveLength(2);
    expect(new Set(creates.map((i) => i.ClientRequestToken)).size).toBe(1);
    expect(creates[0]).toMatchObject({
      ExternalMeetingId: visitId,
      MediaRegion: 'eu-central-1',
      ClientRequestToken: `${visitId}-m1`,
    });
    expect(byToken.size).toBe(1);
    expect(chime.commandCalls(CreateAttendeeCommand).map((c) => c.args[0].input)).toEqual([
      { MeetingId: 'mtg-1', ExternalUserId: 'staff-stf-anna' },
      { MeetingId: 'mtg-1', ExternalUserId: 'staff-stf-anna' },
    ]);
  });

  it('a citizen joining after Chime ended the meeting gets a new one under the next token; completing deletes it', async () => {
    const visitId = await bookAt('2026-11-23T10:00:00+01:00');
    clock.set('2026-11-23T08:58:00Z');
    chime.on(CreateMeetingCommand).callsFake((input: { ClientRequestToken: string; ExternalMeetingId: string }) => ({
      Meeting: meeting(`mtg-${input.ClientRequestToken.slice(-2)}`, input.ExternalMeetingId),
    }));
    chime.on(CreateAttendeeCommand).callsFake((input: { ExternalUserId: string }) => ({
      Attendee: { AttendeeId: `att-${input.ExternalUserId}`, ExternalUserId: input.ExternalUserId, JoinToken: 't' },
    }));
    await call('POST', `/visits/${visitId}/start`, as.anna);
    chime.on(GetMeetingCommand).rejects(new NotFoundException({ message: 'ended', $metadata: {} }));

    const joined = await call('POST', `/visits/${visitId}/join`, await t.token('citizen', karen, 'east'));
    expect(joined.status).toBe(200);
    expect(joined.body.meeting.MeetingId).toBe('mtg-m2');
    expect(chime.commandCalls(CreateMeetingCommand).map((c) => c.args[0].input.ClientRequestToken)).toEqual([
      `${visitId}-m1`,
      `${visitId}-m2`,
    ]);

    chime.on(GetMeetingCommand).resolves({ Meeting: meeting('mtg-m2', visitId) });
    chime.on(DeleteMeetingCommand).resolves({});
    const done = await call('POST', `/visits/${visitId}/complete`, as.anna, { result: 'partly-delivered' });
    expect(done.status).toBe(200);
    expect(chime.commandCalls(DeleteMeetingCommand).map((c) => c.args[0].input)).toEqual([{ MeetingId: 'mtg-m2' }]);
  });

  it('retries a throttled CreateMeeting with backoff and answers 503 when it persists', async () => {
    const visitId = await bookAt('2026-11-23T11:00:00+01:00');
    clock.set('2026-11-23T09:55:00Z');
    chime
      .on(CreateMeetingCommand)
      .rejects(new ThrottlingException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));
    const res = await call('POST', `/visits/${visitId}/start`, as.anna);
    expect(res.status).toBe(503);
    expect(chime.commandCalls(CreateMeetingCommand)).toHaveLength(3);
    expect(chime.commandCalls(CreateAttendeeCommand)).toHaveLength(0);
    expect((await call('GET', `/visits/${visitId}`, as.anna)).body.status).toBe('scheduled');
  });

  it('recovers when throttling passes within the retries', async () => {
    const meetings = new ChimeMeetings(new ChimeSDKMeetingsClient({ region: 'eu-north-1' }), 'eu-west-1', {
      attempts: 3,
      baseDelayMs: 1,
    });
    chime
      .on(CreateMeetingCommand)
      .rejectsOnce(new ThrottlingException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }))
      .resolves({ Meeting: meeting('mtg-ok', 'vis_x') });
    const info = await meetings.createMeeting({ externalMeetingId: 'vis_x', clientRequestToken: 'vis_x-m1' });
    expect(info.meetingId).toBe('mtg-ok');
    expect(chime.commandCalls(CreateMeetingCommand)).toHaveLength(2);
  });
});

describe('EventBridge Scheduler behind the visit schedules', () => {
  it('booking creates a one-time reminder and no-show check that delete themselves; rescheduling updates; cancelling deletes', async () => {
    const visitId = await bookAt('2026-11-25T09:00:00+01:00');
    const created = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(created.map((i) => [i.Name, i.ScheduleExpression])).toEqual([
      [`visit-reminder-${visitId}`, 'at(2026-11-25T07:45:00)'],
      [`visit-no-show-${visitId}`, 'at(2026-11-25T08:20:00)'],
    ]);
    expect(created[1]).toMatchObject({
      GroupName: 'e-team-test',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:lambda:eu-north-1:111122223333:function:run-job',
        Input: JSON.stringify({ job: 'visit-no-show-check', payload: { visitId } }),
      },
    });

    scheduler.reset();
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const moved = await call('PATCH', `/visits/${visitId}`, as.anna, { start: '2026-11-25T10:00:00+01:00' });
    expect(moved.status).toBe(200);
    expect(
      scheduler
        .commandCalls(UpdateScheduleCommand)
        .map((c) => [c.args[0].input.Name, c.args[0].input.ScheduleExpression]),
    ).toEqual([
      [`visit-reminder-${visitId}`, 'at(2026-11-25T08:45:00)'],
      [`visit-no-show-${visitId}`, 'at(2026-11-25T09:20:00)'],
    ]);

    scheduler.reset();
    scheduler
      .on(DeleteScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }))
      .resolves({});
    const cancelled = await call('PATCH', `/visits/${visitId}`, as.anna, { status: 'cancelled' });
    expect(cancelled.status).toBe(200);
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: `visit-reminder-${visitId}`, GroupName: 'e-team-test' },
      { Name: `visit-no-show-${visitId}`, GroupName: 'e-team-test' },
    ]);
  });

  it('a scheduler that is down does not refuse the booking: the schedules are made when the delivery is retried', async () => {
    scheduler.reset();
    scheduler.on(CreateScheduleCommand).rejects(new Error('scheduler down'));
    clock.set('2026-11-23T06:00:00Z');
    const res = await call('POST', '/visits', as.anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-11-26T09:00:00+01:00',
      durationMinutes: 20,
      purpose: { grantId: 'grt_1', service: 'support_conversation' },
    });
    expect(res.status).toBe(201);
    const visitId = res.body.visitId as string;
    expect((await stream.drain()).failed).toBe(true);

    scheduler.reset();
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    expect((await stream.drain()).failed).toBe(false);
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input.Name)).toEqual([
      `visit-reminder-${visitId}`,
      `visit-no-show-${visitId}`,
    ]);
  });
});
