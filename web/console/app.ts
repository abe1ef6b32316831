import { h, show } from '../common/dom.ts';
import { currentLang, setLang } from '../common/i18n.ts';
import { completeHostedSignIn, hostedSettings, redirectToHostedUi } from './auth.ts';
import {
  consoleRoles,
  dayPath,
  forgetCitizens,
  isLead,
  isSupportOnly,
  me,
  prefetch,
  storeToken,
  t,
  teamCitizens,
  ZONE,
} from './context.ts';
import { todayIn } from './lib/day.ts';
import type { Key } from './lib/i18n.ts';
import { readClaims } from './lib/pkce.ts';
import { forgetPushDevice, pushControl } from './push-control.ts';

/**
 * The staff console: one page, views by hash (`#/day`, `#/book`, `#/availability`, `#/alerts`,
 * `#/citizens/<id>`, `#/lead`). Each view module is loaded when first shown, so the day view
 * (the first thing a care worker needs) ships alone; the Chime SDK only when a video starts.
 */
export interface View {
  /** Renders into `main`; returns a cleanup (timers, video) run when the view is left. */
  (main: HTMLElement, params: string[]): Promise<(() => void) | void>;
}

interface Entry {
  label: Key;
  load: () => Promise<View>;
  lead?: boolean;
}
const dayEntry: Entry = { label: 'navDay', load: () => import('./views/day.ts').then((m) => m.dayView) };
const views: Record<string, Entry> = {
  day: dayEntry,
  book: { label: 'navBook', load: () => import('./views/book.ts').then((m) => m.bookView) },
  availability: {
    label: 'navAvailability',
    load: () => import('./views/availability.ts').then((m) => m.availabilityView),
  },
  alerts: { label: 'navAlerts', load: () => import('./views/alerts.ts').then((m) => m.alertsView) },
  citizens: { label: 'navCitizens', load: () => import('./views/citizen.ts').then((m) => m.citizenView) },
  lead: { label: 'navLead', load: () => import('./views/lead.ts').then((m) => m.leadView), lead: true },
};

let cleanup: (() => void) | void = undefined;

/** IT support (without a care role) has the alerts view only; it is also its start page. */
const homeView = () => (isSupportOnly() ? 'alerts' : 'day');
const mayShow = (key: string, entry: Entry) => (!entry.lead || isLead()) && (!isSupportOnly() || key === 'alerts');

export async function startConsole(root: HTMLElement): Promise<void> {
  document.documentElement.lang = currentLang();
  const settings = await hostedSettingsIfNeeded();
  if (settings) {
    const back = await completeHostedSignIn(settings);
    if (back && 'token' in back) storeToken(back.token);
    if (back && 'error' in back) return renderSignIn(root, back.error);
  }
  window.addEventListener('hashchange', () => void route(root));
  await route(root);
}

/** Only a signed-out console asks how to sign in: the day view's load stays one request shorter. */
async function hostedSettingsIfNeeded() {
  return me() && !location.search.includes('code=') ? undefined : hostedSettings();
}

function languageButton(root: HTMLElement) {
  const other = currentLang() === 'da' ? 'en' : 'da';
  return h(
    'button',
    {
      type: 'button',
      lang: other,
      'data-testid': 'language',
      onclick: () => {
        setLang(other);
        void route(root);
      },
    },
    other === 'en' ? 'English' : 'Dansk',
  );
}

async function renderSignIn(root: HTMLElement, error?: string): Promise<void> {
  const settings = await hostedSettings();
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const message = h('p', { role: 'alert', class: 'error' }, error ?? '');
  const form = h(
    'form',
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        const token = input.value.trim();
        const claims = readClaims(token);
        if (!claims || !claims.roles.some((r) => consoleRoles.includes(r))) {
          message.textContent = `${t('error')}: token`;
          return;
        }
        storeToken(token);
        forgetCitizens();
        if (!location.hash) location.hash = `#/${homeView()}`;
        void route(root);
      },
    },
    h('label', { for: 'token' }, t('tokenLabel')),
    input,
    h('p', null, h('button', { type: 'submit', class: 'primary' }, t('signIn'))),
  );
  show(
    root,
    h(
      'div',
      null,
      h('header', { class: 'topbar' }, h('span', { class: 'brand' }, t('title')), languageButton(root)),
      h(
        'main',
        null,
        h('h1', null, t('signIn')),
        settings
          ? h(
              'p',
              null,
              h(
                'button',
                { type: 'button', class: 'primary', onclick: () => void redirectToHostedUi(settings) },
                t('signInHosted'),
              ),
            )
          : form,
        message,
      ),
    ),
  );
}

/** Counts navigations: a view that finishes loading after a later navigation is left at once. */
let navigation = 0;

async function route(root: HTMLElement): Promise<void> {
  const thisNavigation = ++navigation;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const claims = me();
  if (!claims) return renderSignIn(root);
  const home = homeView();
  const [name = home, ...params] = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const asked = views[name];
  const entry = asked && mayShow(name, asked) ? asked : (views[home] ?? dayEntry);
  const current = asked === entry ? name : home;
  if (current === 'day') {
    // The day's data is asked for while the view's code is still on its way.
    const date = params[0] && /^\d{4}-\d{2}-\d{2}$/.test(params[0]) ? params[0] : todayIn(ZONE);
    prefetch(dayPath(claims.sub, date));
    void teamCitizens().catch(() => undefined);
  }
  const main = h('main', { id: 'main' }, h('p', { 'aria-busy': 'true' }, t('loading')));
  show(
    root,
    h(
      'div',
      null,
      h(
        'a',
        {
          class: 'skip',
          href: '#main',
          onclick: (e: Event) => {
            e.preventDefault();
            main.querySelector<HTMLElement>('h1')?.focus();
          },
        },
        t('skip'),
      ),
      h(
        'header',
        { class: 'topbar' },
        h('span', { class: 'brand' }, t('title')),
        h(
          'nav',
          { 'aria-label': t('title') },
          h(
            'ul',
            { class: 'nav' },
            ...Object.entries(views)
              .filter(([key, v]) => mayShow(key, v))
              .map(([key, v]) =>
                h(
                  'li',
                  null,
                  h('a', { href: `#/${key}`, ...(key === current ? { 'aria-current': 'page' } : {}) }, t(v.label)),
                ),
              ),
          ),
        ),
        h('span', { class: 'who' }, `${claims.sub} · ${claims.team ?? ''}`),
        pushControl(),
        languageButton(root),
        h(
          'button',
          {
            type: 'button',
            onclick: async () => {
              await forgetPushDevice().catch(() => undefined);
              storeToken(undefined);
              forgetCitizens();
              location.hash = '';
              void route(root);
            },
          },
          t('signOut'),
        ),
      ),
      main,
    ),
  );
  const view = await entry.load();
  if (thisNavigation !== navigation) return;
  const leave = await view(main, params);
  // Two quick navigations: the later one owns the page and its cleanup; this view's timers and
  // video stop now instead of running on behind the page that replaced it.
  if (thisNavigation !== navigation) {
    if (typeof leave === 'function') leave();
    return;
  }
  // eslint-disable-next-line require-atomic-updates -- checked just above: no navigation came in between
  cleanup = leave;
  main.querySelector<HTMLElement>('h1')?.setAttribute('tabindex', '-1');
}
