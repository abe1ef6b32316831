import { randomBytes, randomUUID } from 'node:crypto';
import type { AttendeeInfo, MeetingInfo, VideoMeetings } from './meetings.ts';

/**
 * LOCAL ONLY: an in-memory stand-in for Amazon Chime SDK meetings, for `npm start` and tests.
 * It keeps the contract that matters (one meeting per visit while it lives, attendees per
 * meeting, ended meetings are gone) and returns join data of the same shape, which no real
 * Chime client can join.
 */
export class LocalMeetings implements VideoMeetings {
  readonly meetings = new Map<string, MeetingInfo & { externalMeetingId: string }>();
  readonly attendees = new Map<string, AttendeeInfo[]>();
  createdCount = 0;

  constructor(private readonly mediaRegion = 'eu-north-1') {}

  async createMeeting(input: { visitId: string; externalMeetingId: string }): Promise<MeetingInfo> {
    const existing = [...this.meetings.values()].find((m) => m.externalMeetingId === input.externalMeetingId);
    if (existing) return existing;
    const meetingId = randomUUID();
    const info = {
      meetingId,
      mediaRegion: this.mediaRegion,
      externalMeetingId: input.externalMeetingId,
      meeting: {
        MeetingId: meetingId,
        ExternalMeetingId: input.externalMeetingId,
        MediaRegion: this.mediaRegion,
        MediaPlacement: { AudioHostUrl: `local-audio.invalid:3478/${meetingId}`, SignalingUrl: `wss://local-signal.invalid/${meetingId}` },
      },
    };
    this.meetings.set(meetingId, info);
    this.createdCount += 1;
    return info;
  }

  async getMeeting(meetingId: string): Promise<MeetingInfo | undefined> {
    return this.meetings.get(meetingId);
  }

  async createAttendee(meetingId: string, externalUserId: string): Promise<AttendeeInfo> {
    if (!this.meetings.has(meetingId)) throw new Error(`Local meeting ${meetingId} has ended`);
    const attendee = { attendeeId: randomUUID(), externalUserId, joinToken: randomBytes(24).toString('base64url') };
    this.attendees.set(meetingId, [...(this.attendees.get(meetingId) ?? []), attendee]);
    return attendee;
  }

  async deleteMeeting(meetingId: string): Promise<void> {
    this.meetings.delete(meetingId);
  }
}
