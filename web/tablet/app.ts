import { ApiError, apiClient } from '../common/api.ts';
import { h, show } from '../common/dom.ts';
import { currentLang, formatDateTime, formatTime, setLang, translator } from '../common/i18n.ts';
import { disablePush, enablePush, pushState, type PushState } from '../common/push.ts';
import type { CallHandle, JoinInfo } from './call.ts';
import { da, en, type TextKey } from './texts.ts';

/**
 * The citizen's tablet: paired once with a code (no password), then a home screen with the next
 * visit in very large type and one button. The Chime SDK is loaded only when that button is
 * tapped (./call.ts is a separate chunk), so the home screen stays small on a slow link.
 */
const t = translator({ da, en });
const TOKEN_KEY = 'e-team.tablet.token';
const POLL_MS = 20_000;

interface TabletHome {
  now: string;
  phase: 'none' | 'before' | 'open' | 'ended';
  visit: {
    visitId: string;
    start: string;
    end: string;
    joinableFrom: string;
    service: string;
    status: 'scheduled' | 'in_progress';
    staffJoined: boolean;
    pendingGuests: { guestId: string; kind: 'relative' | 'professional' }[];
  } | null;
  ended: { visitId: string; end: string } | null;
}

type View =
  | { name: 'pair'; message?: TextKey; code?: string }
  | { name: 'home'; home?: TabletHome; notice?: TextKey }
  | { name: 'joining' }
  | { name: 'call'; visitId: string };

const api = apiClient(() => localStorage.getItem(TOKEN_KEY) ?? undefined);
let root: HTMLElement;
let view: View = { name: 'home' };
let pollTimer: ReturnType<typeof setTimeout> | undefined;
let call: CallHandle | undefined;
/** Whether this tablet gets reminders by push (asked once the home screen shows). */
let reminders: PushState | undefined;
let togglingReminders = false;

export function startTablet(element: HTMLElement): void {
  root = element;
  document.documentElement.lang = currentLang();
  const code = new URLSearchParams(location.search).get('pair');
  if (code) {
    // The QR image holds /tablet?pair=CODE: pair at once, then drop the code from the address.
    history.replaceState(null, '', location.pathname);
    void pair(code);
    return;
  }
  if (!localStorage.getItem(TOKEN_KEY)) go({ name: 'pair' });
  else void refresh();
}

function go(next: View): void {
  view = next;
  render();
}

function serviceName(service: string): string {
  const key = `service_${service}` as TextKey;
  return key in da ? t(key) : service.replace(/_/g, ' ');
}

function topbar(): HTMLElement {
  const other = currentLang() === 'da' ? 'en' : 'da';
  return h(
    'header',
    { class: 'topbar' },
    h('span', { class: 'brand' }, t('brand')),
    h(
      'button',
      {
        type: 'button',
        lang: other,
        onclick: () => {
          setLang(other);
          render();
        },
      },
      t('otherLanguage'),
    ),
  );
}

function render(): void {
  document.title = t('brand');
  const body = (() => {
    switch (view.name) {
      case 'pair':
        return pairView(view.message, view.code);
      case 'home':
        return homeView(view.home, view.notice);
      case 'joining':
        return h('main', { class: 'tablet' }, h('h1', null, t('joining')));
      case 'call':
        return callView();
    }
  })();
  show(root, h('div', { class: 'page' }, view.name === 'call' ? null : topbar(), body));
  if (view.name === 'call' && call)
    call.attach(
      root.querySelector('#staff-video') as HTMLVideoElement,
      root.querySelector('#own-video') as HTMLVideoElement,
    );
}

function pairView(message?: TextKey, code = ''): HTMLElement {
  const input = h('input', {
    id: 'pair-code',
    name: 'code',
    value: code,
    autocomplete: 'one-time-code',
    autocapitalize: 'characters',
    spellcheck: 'false',
    'aria-describedby': 'pair-hint',
    required: true,
    maxlength: 20,
    class: 'code-input',
  });
  return h(
    'main',
    { class: 'tablet' },
    h('h1', null, t('pairTitle')),
    h('p', { class: 'lead' }, t('pairIntro')),
    message ? h('p', { class: 'error', role: 'alert' }, t(message)) : null,
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          void pair(input.value);
        },
      },
      h('label', { for: 'pair-code' }, t('pairLabel')),
      input,
      h('p', { id: 'pair-hint', class: 'muted' }, t('pairHint')),
      h('button', { type: 'submit', class: 'primary big' }, t('pairButton')),
    ),
  );
}

async function pair(code: string): Promise<void> {
  try {
    const paired = await api.request<{ token: string }>('POST', '/tablet-pairings/redeem', {
      code,
      label: navigator.userAgent.slice(0, 60),
    });
    localStorage.setItem(TOKEN_KEY, paired.token);
    await refresh();
  } catch (error) {
    go({ name: 'pair', message: error instanceof ApiError ? 'pairFailed' : 'networkError', code });
  }
}

async function refresh(): Promise<void> {
  clearTimeout(pollTimer);
  try {
    const home = await api.request<TabletHome>('GET', '/me/next-visit');
    if (view.name === 'home' || view.name === 'pair')
      go({ name: 'home', home, ...(view.name === 'home' && view.notice ? { notice: view.notice } : {}) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      go({ name: 'pair', message: 'unpaired' });
      return;
    }
    if (view.name === 'home') go({ name: 'home', ...(view.home ? { home: view.home } : {}), notice: 'networkError' });
  }
  // Another refresh may have armed the timer while this one waited: one poll chain only.
  clearTimeout(pollTimer);
  if (view.name === 'home') pollTimer = setTimeout(() => void refresh(), POLL_MS);
}

function homeView(home: TabletHome | undefined, notice?: TextKey): HTMLElement {
  if (!home) return h('main', { class: 'tablet' }, h('h1', null, t('loading')));
  const lang = currentLang();
  const visit = home.visit;
  const parts: (HTMLElement | null)[] = [];
  if (home.phase === 'ended' && home.ended) {
    parts.push(
      h(
        'section',
        { class: 'card ended', 'aria-labelledby': 'ended-title' },
        h('h2', { id: 'ended-title', class: 'huge' }, t('endedTitle')),
        h('p', { class: 'lead' }, t('endedText')),
      ),
    );
  }
  if (!visit) {
    parts.push(h('p', { class: 'lead' }, t('noVisit')));
  } else {
    const card = h(
      'section',
      { class: 'card visit', 'aria-labelledby': 'next-title' },
      h('h2', { id: 'next-title', class: 'label' }, t('nextVisit')),
      h('p', { class: 'when huge' }, formatDateTime(visit.start, lang)),
      h('p', { class: 'what' }, t('about', { service: serviceName(visit.service) })),
      h('p', { class: 'who' }, t('withTeam')),
    );
    parts.push(card);
    if (home.phase === 'open') {
      for (const guest of visit.pendingGuests) parts.push(consentBox(visit.visitId, guest));
      parts.push(h('p', { class: 'status', role: 'status' }, visit.staffJoined ? t('staffReady') : t('staffNotYet')));
      parts.push(
        h(
          'button',
          { type: 'button', class: 'primary join', onclick: () => void join(visit.visitId) },
          t('joinButton'),
        ),
      );
    } else {
      parts.push(
        h(
          'p',
          { class: 'status huge-ish', role: 'status' },
          t('opensAt', { time: formatTime(visit.joinableFrom, lang) }),
        ),
      );
    }
  }
  return h(
    'main',
    { class: 'tablet' },
    h('h1', { class: 'visually-hidden' }, t('brand')),
    notice ? h('p', { class: 'error', role: 'alert' }, t(notice)) : null,
    ...parts,
    remindersControl(),
  );
}

/** Reminders by push: the browser asks for permission on this tap (it needs a user gesture). */
function remindersControl(): HTMLElement | null {
  if (reminders === undefined) {
    void pushState('tablet').then((state) => {
      reminders = state;
      if (view.name === 'home') render();
    });
    return null;
  }
  if (reminders === 'unsupported') return null;
  const toggle = async () => {
    // A second tap while the first is still asking the browser and the API changes nothing.
    if (togglingReminders) return;
    togglingReminders = true;
    try {
      const next =
        reminders === 'on'
          ? await disablePush(api, 'tablet')
          : await enablePush(api, { page: 'tablet', locale: currentLang(), device: 'tablet' });
      // eslint-disable-next-line require-atomic-updates -- only one toggle runs at a time (togglingReminders)
      reminders = next;
    } catch (error) {
      console.error('reminders by push failed', error);
    } finally {
      // eslint-disable-next-line require-atomic-updates -- this call set it; no other toggle ran meanwhile
      togglingReminders = false;
    }
    if (view.name === 'home') render();
  };
  return h(
    'section',
    { class: 'reminders', 'aria-label': t('remindMe') },
    reminders === 'on' ? h('p', { class: 'muted' }, t('remindersOn')) : null,
    reminders === 'denied' ? h('p', { class: 'muted' }, t('remindersDenied')) : null,
    h(
      'button',
      {
        type: 'button',
        'data-testid': 'reminders',
        'aria-pressed': reminders === 'on' ? 'true' : 'false',
        onclick: () => void toggle(),
      },
      reminders === 'on' ? t('stopReminders') : t('remindMe'),
    ),
  );
}

function consentBox(visitId: string, guest: { guestId: string; kind: 'relative' | 'professional' }): HTMLElement {
  const answer = async (consent: boolean) => {
    try {
      await api.request('POST', `/visits/${visitId}/guests/${guest.guestId}/consent`, { consent });
      go({ name: 'home', notice: 'consentSaved' });
      await refresh();
    } catch {
      go({ name: 'home', ...(view.name === 'home' && view.home ? { home: view.home } : {}), notice: 'networkError' });
    }
  };
  return h(
    'section',
    { class: 'card consent', role: 'group', 'aria-labelledby': `consent-${guest.guestId}` },
    h('h2', { id: `consent-${guest.guestId}` }, t('consentTitle')),
    h('p', { class: 'lead' }, guest.kind === 'relative' ? t('consentRelative') : t('consentProfessional')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => void answer(true) }, t('consentYes')),
      h('button', { type: 'button', onclick: () => void answer(false) }, t('consentNo')),
    ),
  );
}

async function join(visitId: string): Promise<void> {
  clearTimeout(pollTimer);
  go({ name: 'joining' });
  try {
    const [joinInfo, callModule] = await Promise.all([
      api.request<JoinInfo>('POST', `/visits/${visitId}/join`),
      import('./call.ts'),
    ]);
    call = await callModule.startCall(joinInfo, { onEnded: () => leave() });
    go({ name: 'call', visitId });
  } catch (error) {
    console.error('joining the visit failed', error);
    if (error instanceof ApiError && error.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      go({ name: 'pair', message: 'unpaired' });
      return;
    }
    go({ name: 'home', notice: 'joinFailed' });
    await refresh();
  }
}

function leave(): void {
  call = undefined;
  go({ name: 'home' });
  void refresh();
}

function callView(): HTMLElement {
  const handle = call;
  const muteButton = h(
    'button',
    { type: 'button', class: 'big', 'aria-pressed': handle?.muted() ? 'true' : 'false' },
    handle?.muted() ? t('unmute') : t('mute'),
  );
  const mutedNote = h('p', { class: 'status', role: 'status' }, handle?.muted() ? t('muted') : '');
  muteButton.addEventListener('click', () => {
    if (!handle) return;
    const muted = handle.toggleMute();
    muteButton.textContent = muted ? t('unmute') : t('mute');
    muteButton.setAttribute('aria-pressed', muted ? 'true' : 'false');
    mutedNote.textContent = muted ? t('muted') : '';
  });
  return h(
    'main',
    { class: 'call' },
    h('h1', { class: 'visually-hidden' }, t('brand')),
    h(
      'div',
      { class: 'stage' },
      h('video', {
        id: 'staff-video',
        class: 'staff-video',
        autoplay: true,
        playsinline: true,
        'aria-label': t('staffVideo'),
      }),
      h('p', { id: 'waiting', class: 'waiting huge-ish' }, t('waitingForStaff')),
      h(
        'figure',
        { class: 'own' },
        h('video', { id: 'own-video', autoplay: true, playsinline: true, muted: true, 'aria-label': t('ownVideo') }),
        h('figcaption', null, t('ownVideo')),
      ),
    ),
    mutedNote,
    h(
      'div',
      { class: 'controls' },
      muteButton,
      h(
        'button',
        {
          type: 'button',
          class: 'danger big',
          onclick: () => {
            void handle?.hangUp();
            leave();
          },
        },
        t('hangUp'),
      ),
    ),
  );
}
