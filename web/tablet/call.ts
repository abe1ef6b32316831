import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
  type AudioVideoObserver,
  type MeetingSessionStatus,
  type VideoTileState,
} from 'amazon-chime-sdk-js';

/**
 * The call itself, with the Amazon Chime SDK. This module (and the SDK) is a chunk of its own,
 * imported only when the citizen taps "join": the home screen never pays for it.
 *
 * `document.body.dataset.callState` follows the session (`connecting`, `started`, `stopped`) so
 * tests and support staff can see where a call is; the join token never leaves the SDK.
 */
export interface JoinInfo {
  visitId: string;
  meeting: Record<string, unknown>;
  attendee: { AttendeeId: string; ExternalUserId: string; JoinToken: string };
}

export interface CallHandle {
  /** Shows the staff member's video and the citizen's own preview in these elements. */
  attach(staffVideo: HTMLVideoElement, ownVideo: HTMLVideoElement): void;
  toggleMute(): boolean;
  muted(): boolean;
  hangUp(): Promise<void>;
}

const ENDED = new Set<MeetingSessionStatusCode>([MeetingSessionStatusCode.MeetingEnded, MeetingSessionStatusCode.Left]);

export async function startCall(join: JoinInfo, options: { onEnded: () => void }): Promise<CallHandle> {
  const logger = new ConsoleLogger('tablet', LogLevel.WARN);
  const devices = new DefaultDeviceController(logger);
  const configuration = new MeetingSessionConfiguration({ Meeting: join.meeting }, { Attendee: join.attendee });
  const session = new DefaultMeetingSession(configuration, logger, devices);
  const av = session.audioVideo;
  let staffVideo: HTMLVideoElement | undefined;
  let ownVideo: HTMLVideoElement | undefined;
  let staffTile: number | undefined;
  let ended = false;

  const audio = document.createElement('audio');
  audio.hidden = true;
  document.body.append(audio);
  await av.bindAudioElement(audio);

  const [microphone] = await av.listAudioInputDevices();
  const [camera] = await av.listVideoInputDevices();
  if (microphone) await av.startAudioInput(microphone.deviceId);
  if (camera) await av.startVideoInput(camera.deviceId);

  const setState = (state: string) => {
    document.body.dataset.callState = state;
  };
  const bindStaff = () => {
    if (staffTile !== undefined && staffVideo) {
      av.bindVideoElement(staffTile, staffVideo);
      document.getElementById('waiting')?.setAttribute('hidden', '');
    }
  };
  const observer: AudioVideoObserver = {
    audioVideoDidStartConnecting: () => setState('connecting'),
    audioVideoDidStart: () => {
      setState('started');
      av.startLocalVideoTile();
    },
    audioVideoDidStop: (status: MeetingSessionStatus) => {
      setState('stopped');
      if (!ended && ENDED.has(status.statusCode())) {
        ended = true;
        options.onEnded();
      }
    },
    videoTileDidUpdate: (tile: VideoTileState) => {
      if (tile.tileId === null || tile.localTile || tile.isContent || !tile.boundAttendeeId) return;
      staffTile = tile.tileId;
      bindStaff();
    },
    videoTileWasRemoved: (tileId: number) => {
      if (tileId !== staffTile) return;
      staffTile = undefined;
      document.getElementById('waiting')?.removeAttribute('hidden');
    },
  };
  av.addObserver(observer);
  setState('connecting');
  av.start();

  const stopDevices = async () => {
    if (ownVideo) devices.stopVideoPreviewForVideoInput(ownVideo);
    await av.stopVideoInput();
    await av.stopAudioInput();
    audio.remove();
  };

  return {
    attach(staff, own) {
      staffVideo = staff;
      ownVideo = own;
      bindStaff();
      // The preview comes from the device directly: it shows even while the call is still connecting.
      if (camera) devices.startVideoPreviewForVideoInput(own);
    },
    toggleMute() {
      if (av.realtimeIsLocalAudioMuted()) av.realtimeUnmuteLocalAudio();
      else av.realtimeMuteLocalAudio();
      return av.realtimeIsLocalAudioMuted();
    },
    muted: () => av.realtimeIsLocalAudioMuted(),
    async hangUp() {
      ended = true;
      av.removeObserver(observer);
      av.stop();
      setState('stopped');
      await stopDevices();
    },
  };
}
