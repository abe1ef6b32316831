import { h } from '../common/dom.ts';
import { disablePush, enablePush, pushState, type PushState } from '../common/push.ts';
import { api, lang, problemText, t } from './context.ts';

/**
 * "Notify me on this device": the browser asks for permission only on a user gesture, so pages
 * are pushed to a console that opted in with this button. Pressed again, it stops them.
 */
export function pushControl(): HTMLElement {
  const status = h('span', { 'aria-live': 'polite', class: 'push-status', 'data-testid': 'push-status' });
  const button = h('button', { type: 'button', 'data-testid': 'push-toggle', 'aria-pressed': 'false' }, t('notifyOn'));
  const show = (state: PushState, said?: string) => {
    button.textContent = state === 'on' ? t('notifyOff') : t('notifyOn');
    button.setAttribute('aria-pressed', state === 'on' ? 'true' : 'false');
    button.dataset.state = state;
    button.toggleAttribute('disabled', state === 'unsupported');
    if (said !== undefined) status.textContent = said;
    else if (state === 'unsupported') status.textContent = t('notifyUnsupported');
  };
  button.addEventListener('click', () => {
    const turnOff = button.dataset.state === 'on';
    void (async () => {
      try {
        const state = turnOff
          ? await disablePush(api, 'console')
          : await enablePush(api, { page: 'console', locale: lang(), device: `console, ${navigator.platform}` });
        const said = {
          on: t('notifyEnabled'),
          off: turnOff ? t('notifyDisabled') : '',
          denied: t('notifyDenied'),
          unsupported: t('notifyUnsupported'),
        }[state];
        show(state, said);
      } catch (error) {
        status.textContent = problemText(error);
      }
    })();
  });
  show('off', '');
  void pushState('console').then((state) => show(state));
  return h('span', { class: 'push' }, button, status);
}

/** Sign-out forgets this device at the API (the DELETE needs the token still there). */
export async function forgetPushDevice(): Promise<void> {
  if ((await pushState('console')) === 'on') await disablePush(api, 'console');
}
