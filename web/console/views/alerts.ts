import { h } from '../../common/dom.ts';
import { formatDateTime } from '../../common/i18n.ts';
import { api, lang, nameOf, problemText, t, teamCitizens, ZONE } from '../context.ts';
import { alertQueue } from '../lib/day.ts';

export interface Alert {
  alertId: string;
  kind: string;
  status: 'open' | 'acknowledged' | 'resolved';
  citizenId?: string;
  summary: string;
  raisedAt: string;
  escalated: boolean;
  acknowledgedBy?: string;
  acknowledgementNote?: string;
}

/** Polling interval of the queue: new alerts show within this without a reload. */
export const ALERT_POLL_MS = 5_000;

export async function openAlerts(): Promise<Alert[]> {
  const [open, acknowledged] = await Promise.all([
    api.request<{ items: Alert[] }>('GET', '/alerts?status=open&limit=200'),
    api.request<{ items: Alert[] }>('GET', '/alerts?status=acknowledged&limit=200'),
  ]);
  return alertQueue([...open.items, ...acknowledged.items]);
}

/**
 * The alert queue: open and acknowledged alerts, newest first, with citizen and cause;
 * escalated ones marked. Acknowledge (with an optional note) and resolve (with a note) in place.
 * It polls, and keeps a form being typed in as it is.
 */
export async function alertsView(main: HTMLElement, params: string[] = []): Promise<() => void> {
  const status = h('p', { role: 'status', class: 'status', 'data-testid': 'alerts-status' });
  const list = h('ul', { class: 'alerts', 'aria-label': t('alerts') });
  const linked = params[0] && /^alr_[0-9A-Z]{26}$/.test(params[0]) ? params[0] : undefined;
  const focus = h('section', { class: 'linked-alert', 'data-testid': 'linked-alert' });
  main.replaceChildren(h('h1', null, t('alerts')), status, ...(linked ? [focus] : []), list);
  if (linked) await showLinkedAlert(focus, status, linked);
  const rendered = new Map<string, { key: string; el: HTMLElement }>();

  async function refresh(): Promise<void> {
    const [alerts, citizens] = await Promise.all([openAlerts(), teamCitizens()]);
    const items = alerts.map((a) => {
      const key = `${a.status}|${a.escalated}`;
      const existing = rendered.get(a.alertId);
      if (existing && existing.key === key) return existing.el;
      const el = alertItem(a, a.citizenId ? nameOf(citizens.get(a.citizenId), a.citizenId) : '');
      rendered.set(a.alertId, { key, el });
      return el;
    });
    const next = items.length === 0 ? [h('li', { class: 'muted' }, t('noAlerts'))] : items;
    // Re-inserting an unchanged list would take the focus out of a note being typed.
    const same = next.length === list.children.length && next.every((el, i) => list.children[i] === el);
    if (!same) list.replaceChildren(...next);
    list.dataset.count = String(alerts.length);
  }

  function alertItem(a: Alert, citizen: string): HTMLElement {
    const noteId = `note-${a.alertId}`;
    const note = h('input', { id: noteId, name: 'note', maxlength: 2000 });
    const act = async (path: 'ack' | 'resolve') => {
      if (path === 'resolve' && !note.value.trim()) {
        status.textContent = `${t('note')}: ${t('resolve')}`;
        note.focus();
        return;
      }
      try {
        await api.request(
          'POST',
          `/alerts/${a.alertId}/${path}`,
          note.value.trim() ? { note: note.value.trim() } : path === 'ack' ? {} : undefined,
        );
        status.textContent = `${t(path === 'ack' ? 'acknowledged' : 'resolved')}: ${a.summary}`;
        rendered.delete(a.alertId);
        await refresh();
      } catch (error) {
        status.textContent = problemText(error);
      }
    };
    return h(
      'li',
      { class: `alert${a.escalated ? ' escalated' : ''}`, 'data-alert-id': a.alertId },
      h(
        'div',
        { class: 'alert-head' },
        a.escalated ? h('span', { class: 'badge badge-escalated' }, t('escalated')) : null,
        h('span', { class: `badge status-${a.status}` }, t(a.status)),
        h('strong', null, a.summary),
      ),
      h(
        'p',
        { class: 'muted' },
        citizen && a.citizenId ? h('a', { href: `#/citizens/${a.citizenId}` }, citizen) : null,
        ` · ${a.kind} · ${t('raised')} ${formatDateTime(a.raisedAt, lang(), ZONE, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}`,
        a.acknowledgedBy
          ? ` · ${t('acknowledged')}: ${a.acknowledgedBy}${a.acknowledgementNote ? ` – ${a.acknowledgementNote}` : ''}`
          : '',
      ),
      h(
        'form',
        {
          class: 'alert-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void act(a.status === 'open' ? 'ack' : 'resolve');
          },
        },
        h('label', { for: noteId }, t('note')),
        note,
        h(
          'div',
          { class: 'actions' },
          a.status === 'open' ? h('button', { type: 'submit', class: 'primary' }, t('acknowledge')) : null,
          h(
            'button',
            {
              type: a.status === 'open' ? 'button' : 'submit',
              class: a.status === 'open' ? '' : 'primary',
              onclick: a.status === 'open' ? () => void act('resolve') : undefined,
            },
            t('resolve'),
          ),
        ),
      ),
    );
  }

  try {
    await refresh();
  } catch (error) {
    status.textContent = problemText(error);
  }
  const timer = setInterval(() => void refresh().catch(() => undefined), ALERT_POLL_MS);
  return () => clearInterval(timer);
}

interface Delivery {
  channel: string;
  recipient: string;
  outcome: string;
  at: string;
}

/**
 * The alert a push or SMS link opened (`/console/?ack=<token>#/alerts/<alertId>`): the link's
 * single-use token acknowledges it first (then leaves the address), then the alert is shown with
 * every message its escalation sent.
 */
async function showLinkedAlert(section: HTMLElement, status: HTMLElement, alertId: string): Promise<void> {
  const token = new URLSearchParams(location.search).get('ack');
  try {
    if (token) {
      history.replaceState(null, '', `${location.pathname}${location.hash}`);
      await api.request('POST', `/alerts/${alertId}/ack-link`, { token });
      status.textContent = t('ackLinkDone');
    }
    const alert = await api.request<Alert & { deliveries: Delivery[] }>('GET', `/alerts/${alertId}`);
    const when = (iso: string) =>
      formatDateTime(iso, lang(), ZONE, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    section.replaceChildren(
      h('h2', null, t('thisAlert')),
      h(
        'p',
        { 'data-alert-id': alert.alertId },
        h('span', { class: `badge status-${alert.status}` }, t(alert.status)),
        ' ',
        h('strong', null, alert.summary),
        ` · ${alert.kind} · ${t('raised')} ${when(alert.raisedAt)}`,
      ),
      h('h3', null, t('deliveries')),
      h(
        'ul',
        { class: 'deliveries' },
        ...alert.deliveries.map((d) => h('li', null, `${when(d.at)} · ${d.channel} · ${d.recipient} · ${d.outcome}`)),
      ),
    );
  } catch (error) {
    status.textContent = problemText(error);
  }
}
