/**
 * The video service behind screen visits. `ChimeMeetings` (AWS) and `LocalMeetings` (npm start,
 * tests) implement it; see shared/visits/README.md.
 */
export interface MeetingInfo {
  readonly meetingId: string;
  readonly mediaRegion: string;
  /** The Chime `Meeting` object the client SDK needs to join (MediaPlacement etc.). */
  readonly meeting: Record<string, unknown>;
}

export interface AttendeeInfo {
  readonly attendeeId: string;
  readonly externalUserId: string;
  /** Secret: returned only to this attendee, never logged or stored. */
  readonly joinToken: string;
}

export interface VideoMeetings {
  /** Idempotent per visit: the same visit id gives the same meeting while it lives. */
  createMeeting(input: { visitId: string; externalMeetingId: string }): Promise<MeetingInfo>;
  /** Undefined when the meeting has ended (Chime ends idle meetings after 5 minutes). */
  getMeeting(meetingId: string): Promise<MeetingInfo | undefined>;
  createAttendee(meetingId: string, externalUserId: string): Promise<AttendeeInfo>;
  deleteMeeting(meetingId: string): Promise<void>;
}
