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

export interface CreateMeetingInput {
  /** The visit id: lets Chime's meeting events and logs be traced to the visit. */
  readonly externalMeetingId: string;
  /**
   * Idempotency: the same token gives the same meeting, so a retried start makes no second one.
   * Derived from the visit id and its meeting generation (a new generation only after the
   * previous meeting ended), 2–64 characters of `[-_a-zA-Z0-9]`.
   */
  readonly clientRequestToken: string;
}

export interface VideoMeetings {
  createMeeting(input: CreateMeetingInput): Promise<MeetingInfo>;
  /** Undefined when the meeting has ended (Chime ends idle meetings after 5 minutes). */
  getMeeting(meetingId: string): Promise<MeetingInfo | undefined>;
  createAttendee(meetingId: string, externalUserId: string): Promise<AttendeeInfo>;
  /** Deleting a meeting that already ended is fine. */
  deleteMeeting(meetingId: string): Promise<void>;
}
