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
import { api, t } from './context.ts';

/** How often the open video asks whether the citizen has joined (the API records their join call). */
const JOINED_POLL_MS = 2_000;

/**
 * The video of a screen visit in the page, with `amazon-chime-sdk-js`. This module (and so the
 * SDK) is imported only when a staff member starts a visit. The staff member's own preview shows
 * at once; the citizen's tile appears when the tablet joins: as soon as the API has the
 * citizen's join call, and with their picture when Chime delivers their video.
 */
export async function openVideo(area: HTMLElement, join: unknown, onClosed: () => void): Promise<() => void> {
  const { visitId, meeting, attendee } = join as { visitId: string; meeting: unknown; attendee: unknown };
  const logger = new ConsoleLogger('console', LogLevel.WARN);
  const devices = new DefaultDeviceController(logger);
  const session = new DefaultMeetingSession(new MeetingSessionConfiguration(meeting, attendee), logger, devices);
  const av = session.audioVideo;

  const own = h('video', {
    class: 'tile tile-own',
    muted: true,
    playsinline: true,
    autoplay: true,
    'aria-label': t('you'),
    'data-testid': 'tile-own',
  });
  const theirs = h('video', {
    class: 'tile tile-citizen',
    playsinline: true,
    autoplay: true,
    'aria-label': t('citizen'),
    'data-testid': 'tile-citizen',
  });
  const theirFigure = h('figure', { hidden: true }, theirs, h('figcaption', null, t('citizen')));
  const audio = h('audio', { class: 'visually-hidden' });
  const state = h('p', { role: 'status', 'data-testid': 'video-state' }, t('waitingForCitizen'));
  let closed = false;
  let preview: MediaStream | undefined;
  const polling: { timer?: ReturnType<typeof setInterval> } = {};

  const citizenJoined = () => {
    theirFigure.hidden = false;
    state.textContent = t('citizenJoined');
    area.dataset.citizen = 'joined';
  };
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(polling.timer);
    preview?.getTracks().forEach((track) => track.stop());
    av.stopLocalVideoTile();
    av.stop();
    onClosed();
  };
  area.replaceChildren(
    h('h2', null, 'Video'),
    h('div', { class: 'tiles' }, h('figure', null, own, h('figcaption', null, t('you'))), theirFigure),
    state,
    audio,
    h('button', { type: 'button', class: 'danger', onclick: close }, t('leave')),
  );

  const observer: AudioVideoObserver = {
    videoTileDidUpdate: (tile: VideoTileState) => {
      if (!tile.tileId || tile.isContent) return;
      if (tile.localTile) av.bindVideoElement(tile.tileId, own);
      else {
        av.bindVideoElement(tile.tileId, theirs);
        citizenJoined();
      }
    },
  };
  av.addObserver(observer);

  const [mic] = await av.listAudioInputDevices();
  const [camera] = await av.listVideoInputDevices();
  if (mic) await av.startAudioInput(mic.deviceId);
  if (camera) await av.startVideoInput(camera.deviceId);
  await av.bindAudioElement(audio);
  av.start();
  av.startLocalVideoTile();
  // The own picture at once, before Chime has connected and made the local tile (which takes over).
  if (camera) {
    preview = await navigator.mediaDevices
      .getUserMedia({ video: { deviceId: camera.deviceId } })
      .catch(() => undefined);
    if (preview) own.srcObject = preview;
  }
  area.dataset.session = 'started';

  const poll = async () => {
    const visit = await api.request<{ citizenJoinedAt?: string }>('GET', `/visits/${visitId}`);
    if (visit.citizenJoinedAt) citizenJoined();
  };
  polling.timer = setInterval(() => void poll().catch(() => undefined), JOINED_POLL_MS);
  void poll().catch(() => undefined);
  return close;
}
