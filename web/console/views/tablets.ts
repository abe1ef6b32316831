import { h } from '../../common/dom.ts';
import { formatDateTime } from '../../common/i18n.ts';
import { api, lang, problemText, t, ZONE } from '../context.ts';

interface Tablet {
  tabletId: string;
  label?: string;
  pairedAt: string;
  pairedBy: string;
  status: 'active' | 'revoked';
  revokedAt?: string;
}
interface Pairing {
  code: string;
  expiresAt: string;
  qrImage: string;
}

/**
 * The citizen's paired tablets: pair a new one (a 15-minute single-use code and its QR image, to
 * type or scan on the tablet) and revoke one (a lost tablet is out at once).
 */
export async function tabletsSection(section: HTMLElement, citizenId: string): Promise<void> {
  const status = h('p', { role: 'status', class: 'status', 'data-testid': 'tablets-status' });
  const list = h('ul', { class: 'tablets' });
  const pairing = h('div', { class: 'pairing', 'data-testid': 'pairing' });
  const when = (iso: string) =>
    formatDateTime(iso, lang(), ZONE, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });

  async function load(): Promise<void> {
    const { items } = await api.request<{ items: Tablet[] }>('GET', `/citizens/${citizenId}/tablets`);
    const active = items.filter((tab) => tab.status === 'active');
    list.replaceChildren(
      ...(active.length === 0
        ? [h('li', { class: 'muted' }, t('noTablets'))]
        : active.map((tab) =>
            h(
              'li',
              { 'data-tablet-id': tab.tabletId },
              `${tab.label ?? tab.tabletId} · ${when(tab.pairedAt)} · ${tab.pairedBy} `,
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  onclick: () => void revoke(tab),
                  'aria-label': `${t('revoke')}: ${tab.label ?? tab.tabletId}`,
                },
                t('revoke'),
              ),
            ),
          )),
    );
  }

  async function pair(): Promise<void> {
    try {
      const made = await api.request<Pairing>('POST', `/citizens/${citizenId}/tablet-pairings`);
      pairing.replaceChildren(
        h(
          'p',
          null,
          `${t('pairingCode')}: `,
          h('strong', { class: 'code', 'data-testid': 'pairing-code' }, made.code),
          ` (${when(made.expiresAt)})`,
        ),
        h('img', { src: made.qrImage, alt: `${t('pairingCode')} ${made.code} (QR)`, width: 160, height: 160 }),
      );
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  async function revoke(tab: Tablet): Promise<void> {
    try {
      await api.request('DELETE', `/citizens/${citizenId}/tablets/${tab.tabletId}`);
      status.textContent = `${t('revoke')}: ${tab.label ?? tab.tabletId}`;
      await load();
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  section.replaceChildren(
    h('h2', { id: 'tablets-h' }, t('tablets')),
    list,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void pair() }, t('pairTablet'))),
    pairing,
    status,
  );
  await load();
}
