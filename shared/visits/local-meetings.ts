import { randomBytes, randomUUID } from 'node:crypto';
import { UpstreamError } from '#shared/platform/errors.ts';
import type { AttendeeInfo, CreateMeetingInput, MeetingInfo, VideoMeetings } from '#shared/platform/meetings.ts';

type Operation = 'createMeeting' | 'getMeeting' | 'createAttendee' | 'deleteMeeting';

/** What Chime puts on the default EventBridge bus (`source: aws.chime`), as LocalMeetings emits it. */
export interface LocalChimeEvent {
  readonly source: 'aws.chime';
  readonly 'detail-type': 'Chime Meeting State Change';
  readonly time: string;
  readonly detail: {
    readonly version: '0';
    readonly eventType: 'chime:AttendeeJoined' | 'chime:AttendeeLeft' | 'chime:AttendeeDropped' | 'chime:MeetingEnded';
    readonly timestamp: number;
    readonly meetingId: string;
    readonly externalMeetingId: string;
    readonly attendeeId?: string;
    readonly externalUserId?: string;
  };
}

/**
 * LOCAL ONLY: an in-memory stand-in for Amazon Chime SDK meetings, for `npm start` and tests.
 * It keeps the contract that matters — one meeting per idempotency token, attendees per
 * meeting, an ended meeting is gone and its attendees cannot be added — and returns join data
 * of the same shape. The media side is not simulated: when a local web server is attached
 * (`useMediaHost`, scripts/web-server.ts), the meetings' signalling and TURN URLs point at it, so
 * the Chime client SDK opens its signalling WebSocket there and the server records which join
 * token it came with (`signalling`); without one, the URLs point nowhere.
 *
 * Test seams (never used by `npm start`): `failNext(operation)` makes the next call of that
 * operation throw as ChimeMeetings does when Chime fails (an UpstreamError, 502 or 503), and
 * `endMeeting(id)` ends a meeting as Chime does after five idle minutes.
 */
export class LocalMeetings implements VideoMeetings {
  readonly meetings = new Map<string, MeetingInfo & { externalMeetingId: string }>();
  readonly attendees = new Map<string, AttendeeInfo[]>();
  private readonly byToken = new Map<string, string>();
  private readonly failures = new Map<Operation, UpstreamError>();
  createdCount = 0;
  private readonly listeners: ((event: LocalChimeEvent) => Promise<void>)[] = [];
  /** Signalling connections the local web server accepted, in order: meeting, attendee, token. */
  readonly signalling: { meetingId: string; attendeeId: string; joinToken: string; at: string }[] = [];
  private mediaHost: string | undefined;

  constructor(private readonly mediaRegion = 'eu-north-1') {}

  failNext(
    operation: Operation,
    error = new UpstreamError('chime', 'The video service failed; nothing was changed. Try again.', 502),
  ): void {
    this.failures.set(operation, error);
  }

  endMeeting(meetingId: string): void {
    this.meetings.delete(meetingId);
  }

  /** Receives the meeting events Chime would publish (local-deps feeds them to the check-in consumer). */
  onEvent(listener: (event: LocalChimeEvent) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /**
   * A browser (or a test) joined or left the meeting: emits `chime:AttendeeJoined` / `AttendeeLeft`
   * as Chime does when its client connects. The local server calls this when its signalling sees
   * a client come and go.
   */
  async reportAttendee(
    meetingId: string,
    attendeeId: string,
    what: 'joined' | 'left' | 'dropped',
    at: Date = new Date(),
  ): Promise<void> {
    const meeting = this.meetings.get(meetingId);
    const attendee = (this.attendees.get(meetingId) ?? []).find((a) => a.attendeeId === attendeeId);
    if (!meeting || !attendee) throw new Error(`No attendee ${attendeeId} in local meeting ${meetingId}`);
    const eventType =
      what === 'joined' ? 'chime:AttendeeJoined' : what === 'left' ? 'chime:AttendeeLeft' : 'chime:AttendeeDropped';
    await this.emit(eventType, meeting.meetingId, meeting.externalMeetingId, at, attendee);
  }

  private async emit(
    eventType: LocalChimeEvent['detail']['eventType'],
    meetingId: string,
    externalMeetingId: string,
    at: Date,
    attendee?: AttendeeInfo,
  ): Promise<void> {
    const event: LocalChimeEvent = {
      source: 'aws.chime',
      'detail-type': 'Chime Meeting State Change',
      time: at.toISOString(),
      detail: {
        version: '0',
        eventType,
        timestamp: at.getTime(),
        meetingId,
        externalMeetingId,
        ...(attendee ? { attendeeId: attendee.attendeeId, externalUserId: attendee.externalUserId } : {}),
      },
    };
    for (const listener of this.listeners) await listener(event);
  }

  /** Points new meetings' media URLs at the local web server (http://127.0.0.1:port). */
  useMediaHost(baseUrl: string): void {
    this.mediaHost = baseUrl.replace(/\/$/, '');
  }

  /** The local signalling endpoint asks whether a join token belongs to the meeting; records it if so. */
  recordSignalling(meetingId: string, joinToken: string): boolean {
    const attendee = this.attendees.get(meetingId)?.find((a) => a.joinToken === joinToken);
    if (!attendee || !this.meetings.has(meetingId)) return false;
    this.signalling.push({ meetingId, attendeeId: attendee.attendeeId, joinToken, at: new Date().toISOString() });
    return true;
  }

  private mediaPlacement(meetingId: string): Record<string, string> {
    if (!this.mediaHost)
      return {
        AudioHostUrl: `local-audio.invalid:3478/${meetingId}`,
        SignalingUrl: `wss://local-signal.invalid/${meetingId}`,
      };
    const host = new URL(this.mediaHost);
    const ws = `${host.protocol === 'https:' ? 'wss' : 'ws'}://${host.host}`;
    return {
      AudioHostUrl: `${host.hostname}:3478/${meetingId}`,
      AudioFallbackUrl: `${ws}/local-chime/audio/${meetingId}`,
      SignalingUrl: `${ws}/local-chime/signal/${meetingId}`,
      TurnControlUrl: `${this.mediaHost}/local-chime/turn/${meetingId}`,
      EventIngestionUrl: `${this.mediaHost}/local-chime/events/${meetingId}`,
    };
  }

  private maybeFail(operation: Operation): void {
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw failure;
    }
  }

  async createMeeting(input: CreateMeetingInput): Promise<MeetingInfo> {
    this.maybeFail('createMeeting');
    const known = this.byToken.get(input.clientRequestToken);
    if (known) {
      const existing = this.meetings.get(known);
      if (existing) return existing;
    }
    const meetingId = randomUUID();
    const info = {
      meetingId,
      mediaRegion: this.mediaRegion,
      externalMeetingId: input.externalMeetingId,
      meeting: {
        MeetingId: meetingId,
        ExternalMeetingId: input.externalMeetingId,
        MediaRegion: this.mediaRegion,
        MediaPlacement: this.mediaPlacement(meetingId),
      },
    };
    this.meetings.set(meetingId, info);
    this.byToken.set(input.clientRequestToken, meetingId);
    this.createdCount += 1;
    return info;
  }

  async getMeeting(meetingId: string): Promise<MeetingInfo | undefined> {
    this.maybeFail('getMeeting');
    return this.meetings.get(meetingId);
  }

  async createAttendee(meetingId: string, externalUserId: string): Promise<AttendeeInfo> {
    this.maybeFail('createAttendee');
    if (!this.meetings.has(meetingId)) throw new UpstreamError('chime', 'The video meeting has ended.', 502);
    const attendee = { attendeeId: randomUUID(), externalUserId, joinToken: randomBytes(24).toString('base64url') };
    this.attendees.set(meetingId, [...(this.attendees.get(meetingId) ?? []), attendee]);
    return attendee;
  }

  async deleteMeeting(meetingId: string): Promise<void> {
    this.maybeFail('deleteMeeting');
    this.meetings.delete(meetingId);
  }
}
