import type {
  ChimeSDKMeetingsClient} from '@aws-sdk/client-chime-sdk-meetings';
import {
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteMeetingCommand,
  GetMeetingCommand,
  NotFoundException,
  type Meeting,
} from '@aws-sdk/client-chime-sdk-meetings';
import { UpstreamError } from '../platform/errors.ts';
import type { AttendeeInfo, MeetingInfo, VideoMeetings } from './meetings.ts';

/**
 * Amazon Chime SDK meetings. Throttling and service errors become UpstreamError (503 when
 * throttled, else 502) after the SDK's own retries, so callers get a clear problem and can retry.
 */
export class ChimeMeetings implements VideoMeetings {
  constructor(
    private readonly client: ChimeSDKMeetingsClient,
    private readonly mediaRegion: string,
  ) {}

  async createMeeting(input: { visitId: string; externalMeetingId: string }): Promise<MeetingInfo> {
    const result = await this.call(() =>
      this.client.send(
        new CreateMeetingCommand({
          // Same token for a retried start: Chime returns the meeting it already made.
          ClientRequestToken: input.visitId,
          ExternalMeetingId: input.externalMeetingId,
          MediaRegion: this.mediaRegion,
        }),
      ),
    );
    return toMeetingInfo(result.Meeting);
  }

  async getMeeting(meetingId: string): Promise<MeetingInfo | undefined> {
    try {
      const result = await this.client.send(new GetMeetingCommand({ MeetingId: meetingId }));
      return toMeetingInfo(result.Meeting);
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      throw toUpstream(error);
    }
  }

  async createAttendee(meetingId: string, externalUserId: string): Promise<AttendeeInfo> {
    const result = await this.call(() => this.client.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: externalUserId })));
    const attendee = result.Attendee;
    if (!attendee?.AttendeeId || !attendee.JoinToken) throw new UpstreamError('chime', 'Chime returned no attendee.');
    return { attendeeId: attendee.AttendeeId, externalUserId, joinToken: attendee.JoinToken };
  }

  async deleteMeeting(meetingId: string): Promise<void> {
    try {
      await this.client.send(new DeleteMeetingCommand({ MeetingId: meetingId }));
    } catch (error) {
      if (error instanceof NotFoundException) return;
      throw toUpstream(error);
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toUpstream(error);
    }
  }
}

function toMeetingInfo(meeting: Meeting | undefined): MeetingInfo {
  if (!meeting?.MeetingId || !meeting.MediaRegion) throw new UpstreamError('chime', 'Chime returned no meeting.');
  return { meetingId: meeting.MeetingId, mediaRegion: meeting.MediaRegion, meeting: { ...meeting } as Record<string, unknown> };
}

function toUpstream(error: unknown): Error {
  if (error instanceof UpstreamError) return error;
  const name = (error as Error).name;
  if (name === 'ThrottledClientException' || name === 'ServiceUnavailableException' || name === 'LimitExceededException') {
    return new UpstreamError('chime', 'The video service is busy; try again in a moment.', 503);
  }
  return new UpstreamError('chime', 'The video service failed; nothing was changed. Try again.', 502);
}
