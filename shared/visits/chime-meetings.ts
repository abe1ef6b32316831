import {
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteMeetingCommand,
  GetMeetingCommand,
  type ChimeSDKMeetingsClient,
  type Meeting,
} from '@aws-sdk/client-chime-sdk-meetings';
import { UpstreamError } from '#shared/platform/errors.ts';
import { logger } from '#shared/platform/logger.ts';
import { withRetry } from '#shared/platform/retry.ts';
import type { AttendeeInfo, CreateMeetingInput, MeetingInfo, VideoMeetings } from '#shared/platform/meetings.ts';

export interface ChimeRetryOptions {
  /** Attempts per call when Chime throttles (HTTP 429 ThrottledClientException) or is unavailable. */
  readonly attempts: number;
  /** Backoff after failed attempt n (1-based): up to base · 2^(n-1), with full jitter (shared/platform/retry.ts). */
  readonly baseDelayMs: number;
}

/** The SDK names Chime's HTTP 429 `ThrottlingException`; the API reference says `ThrottledClientException`. */
const THROTTLED = new Set(['ThrottlingException', 'ThrottledClientException']);
const UNAVAILABLE = new Set(['ServiceUnavailableException', 'ServiceFailureException']);

function isRetryable(error: unknown): boolean {
  const name = (error as Error).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return THROTTLED.has(name) || UNAVAILABLE.has(name) || status === 429 || status === 503;
}

/**
 * Amazon Chime SDK meetings. Throttling (and a momentarily unavailable service) is retried with exponential backoff on top of the SDK's
 * own retries; when it persists the caller gets a 503 problem, any other failure a 502 — in
 * both cases nothing of the visit was written, so the caller may simply try again.
 */
export class ChimeMeetings implements VideoMeetings {
  constructor(
    private readonly client: ChimeSDKMeetingsClient,
    private readonly mediaRegion: string,
    private readonly retry: ChimeRetryOptions = { attempts: 4, baseDelayMs: 100 },
  ) {}

  async createMeeting(input: CreateMeetingInput): Promise<MeetingInfo> {
    const result = await this.call('CreateMeeting', () =>
      this.client.send(
        new CreateMeetingCommand({
          // The same token for a retried start: Chime returns the meeting it already made.
          ClientRequestToken: input.clientRequestToken,
          ExternalMeetingId: input.externalMeetingId,
          MediaRegion: this.mediaRegion,
        }),
      ),
    );
    return toMeetingInfo(result.Meeting);
  }

  async getMeeting(meetingId: string): Promise<MeetingInfo | undefined> {
    try {
      const result = await this.call(
        'GetMeeting',
        () => this.client.send(new GetMeetingCommand({ MeetingId: meetingId })),
        true,
      );
      return toMeetingInfo(result.Meeting);
    } catch (error) {
      if (error === GONE) return undefined;
      throw error;
    }
  }

  async createAttendee(meetingId: string, externalUserId: string): Promise<AttendeeInfo> {
    const result = await this.call('CreateAttendee', () =>
      this.client.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: externalUserId })),
    );
    const attendee = result.Attendee;
    if (!attendee?.AttendeeId || !attendee.JoinToken) throw new UpstreamError('chime', 'Chime returned no attendee.');
    return { attendeeId: attendee.AttendeeId, externalUserId, joinToken: attendee.JoinToken };
  }

  async deleteMeeting(meetingId: string): Promise<void> {
    try {
      await this.call(
        'DeleteMeeting',
        () => this.client.send(new DeleteMeetingCommand({ MeetingId: meetingId })),
        true,
      );
    } catch (error) {
      if (error !== GONE) throw error;
    }
  }

  private async call<T>(operation: string, fn: () => Promise<T>, notFoundIsGone = false): Promise<T> {
    const gone = (error: unknown) =>
      notFoundIsGone && ['NotFoundException', 'GoneException'].includes((error as Error).name);
    let attempts = 0;
    try {
      return await withRetry(
        (attempt) => {
          attempts = attempt;
          return fn();
        },
        { ...this.retry, retryIf: (error) => !gone(error) && isRetryable(error) },
      );
    } catch (error) {
      if (gone(error)) throw GONE;
      // The error's name and status only: Chime errors can echo request fields.
      logger.warn('chime call failed', { operation, errorName: (error as Error).name, attempts });
      throw toUpstream(error);
    }
  }
}

/** Marker for "that meeting does not exist (any more)". */
const GONE = Symbol('meeting gone');

function toMeetingInfo(meeting: Meeting | undefined): MeetingInfo {
  if (!meeting?.MeetingId || !meeting.MediaRegion) throw new UpstreamError('chime', 'Chime returned no meeting.');
  return {
    meetingId: meeting.MeetingId,
    mediaRegion: meeting.MediaRegion,
    meeting: { ...meeting } as Record<string, unknown>,
  };
}

function toUpstream(error: unknown): UpstreamError {
  if (isRetryable(error)) return new UpstreamError('chime', 'The video service is busy; try again in a moment.', 503);
  return new UpstreamError('chime', 'The video service failed; nothing was changed. Try again.', 502);
}
