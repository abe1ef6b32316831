import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  type AudioVideoObserver,
  type VideoTileState,
} from 'amazon-chime-sdk-js';
import { h } from '../common/dom.ts';
import { t } from './context.ts';

/**
 * The video of a screen visit in the page, with `amazon-chime-sdk-js`. This module (and so the
 * SDK) is imported only when a staff member starts a visit. The staff member's own preview shows
 * at once; the citizen's tile appears when the tablet joins and its video arrives.
 */
export async function openVideo(area: HTMLElement, join: unknown, onClosed: () => void): Promise<() => void> {
  const { meeting, attendee } = join as { meeting: unknown; attendee: unknown };
  const logger = new ConsoleLogger('console', LogLevel.WARN);
  const devices = new DefaultDeviceController(logger);
  const session = new DefaultMeetingSession(new MeetingSessionConfiguration(meeting, attendee), logger, devices);
  const av = session.audioVideo;

  const own = h('video', { class: 'tile tile-own', muted: true, playsinline: true, 'aria-label': t('you') });
  const theirs = h('video', { class: 'tile tile-citizen', playsinline: true, 'aria-label': t('citizen'), hidden: true });
  const audio = h('audio', { class: 'visually-hidden' });
  const state = h('p', { role: 'status', 'data-testid': 'video-state' }, t('waitingForCitizen'));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    av.stopLocalVideoTile();
    av.stop();
    onClosed();
  };
  area.replaceChildren(
    h('h2', null, 'Video'),
    h('div', { class: 'tiles' }, h('figure', null, own, h('figcaption', null, t('you'))), h('figure', null, theirs, h('figcaption', null, t('citizen')))),
    state,
    audio,
    h('button', { type: 'button', class: 'danger', onclick: close }, t('leave')),
  );

  const observer: AudioVideoObserver = {
    videoTileDidUpdate: (tile: VideoTileState) => {
      if (!tile.tileId) return;
      if (tile.localTile) av.bindVideoElement(tile.tileId, own);
      else if (!tile.isContent) {
        av.bindVideoElement(tile.tileId, theirs);
        theirs.hidden = false;
        state.textContent = t('citizenJoined');
        area.dataset.citizenTile = 'shown';
      }
    },
    videoTileWasRemoved: () => {
      theirs.hidden = true;
      state.textContent = t('waitingForCitizen');
      delete area.dataset.citizenTile;
    },
  };
  av.addObserver(observer);
  av.realtimeSubscribeToAttendeeIdPresence((attendeeId, present) => {
    if (attendeeId === (attendee as { AttendeeId?: string }).AttendeeId) return;
    if (present) area.dataset.citizenPresent = 'true';
  });

  const [mic] = await av.listAudioInputDevices();
  const [camera] = await av.listVideoInputDevices();
  if (mic) await av.startAudioInput(mic.deviceId);
  if (camera) await av.startVideoInput(camera.deviceId);
  await av.bindAudioElement(audio);
  av.start();
  av.startLocalVideoTile();
  return close;
}
