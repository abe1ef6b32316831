import { h } from '../../common/dom.ts';
import { formatDateTime } from '../../common/i18n.ts';
import { api, getOrUndefined, lang, nameOf, problemText, t, teamCitizens, ZONE } from '../context.ts';
import { adherenceGrid, type Dose, type DoseOutcome } from '../lib/charts.ts';
import { addDays, todayIn, type Visit } from '../lib/day.ts';
import { svg } from '../svg.ts';
import type { Alert } from './alerts.ts';
import { tabletsSection } from './tablets.ts';

const OUTCOMES: DoseOutcome[] = ['taken_on_time', 'taken_late', 'missed', 'no_data', 'pending'];

/** `#/citizens`: the team's citizens; `#/citizens/<id>`: one citizen's page. */
export async function citizenView(main: HTMLElement, params: string[]): Promise<void> {
  const id = params[0];
  if (!id) return citizenList(main);
  return citizenPage(main, id);
}

async function citizenList(main: HTMLElement): Promise<void> {
  const citizens = [...(await teamCitizens()).values()].sort((a, b) => nameOf(a, '').localeCompare(nameOf(b, '')));
  main.replaceChildren(
    h('h1', null, t('citizens')),
    h(
      'ul',
      { class: 'citizens' },
      ...citizens.map((c) => h('li', null, h('a', { href: `#/citizens/${c.citizenId}` }, nameOf(c, c.citizenId)))),
    ),
  );
}

interface FinalGrantView {
  current: {
    approvedAt: string;
    lines: {
      grantId: string;
      service: string;
      frequency: unknown;
      physical: number;
      screenVisit: number;
      medicationTechnology: number;
    }[];
  };
  figures: { digitalShare: number };
}

/** The adherence of 30 days as a picture: a square per planned dose, coloured by what happened. */
export function adherencePicture(doses: readonly Dose[], from: string, to: string): SVGElement {
  const grid = adherenceGrid(doses, from, to);
  const counts = OUTCOMES.map((o) => `${t(o)}: ${doses.filter((d) => d.outcome === o).length}`).join(', ');
  return svg(
    'svg',
    {
      viewBox: `0 0 ${grid.width} ${grid.height}`,
      role: 'img',
      'aria-labelledby': 'adh-title adh-desc',
      class: 'chart adherence',
      'data-testid': 'adherence-chart',
    },
    svg('title', { id: 'adh-title' }, `${t('adherence')} (${from} – ${to})`),
    svg('desc', { id: 'adh-desc' }, counts),
    ...grid.times.map((row) => svg('text', { x: 0, y: row.y + 11, class: 'axis' }, row.time)),
    ...grid.dates
      .filter((_, i) => i % 7 === 0)
      .map((col) => svg('text', { x: col.x, y: grid.height - 6, class: 'axis' }, col.date.slice(5))),
    ...grid.cells.map((c) =>
      svg(
        'rect',
        { x: c.x, y: c.y, width: c.width, height: c.height, rx: 2, class: `dose dose-${c.outcome}` },
        svg('title', {}, `${c.label}: ${t(c.outcome)}`),
      ),
    ),
  );
}

function legend(): HTMLElement {
  return h(
    'ul',
    { class: 'legend' },
    ...OUTCOMES.map((o) => h('li', null, h('span', { class: `swatch dose-${o}`, 'aria-hidden': 'true' }), t(o))),
  );
}

async function citizenPage(main: HTMLElement, citizenId: string): Promise<void> {
  const to = todayIn(ZONE);
  const from = addDays(to, -29);
  const citizen = await getOrUndefined<{ citizenId: string; name: { given: string; family: string } }>(
    `/citizens/${citizenId}`,
  );
  if (!citizen) {
    main.replaceChildren(h('h1', null, t('citizen')), h('p', { role: 'alert' }, `${t('error')}: 404`));
    return;
  }
  const [grant, visits, adherence, alerts] = await Promise.all([
    getOrUndefined<FinalGrantView>(`/citizens/${citizenId}/final-grant`),
    api.request<{ items: Visit[] }>(
      'GET',
      `/visits?citizenId=${citizenId}&from=${encodeURIComponent(new Date().toISOString())}&limit=20`,
    ),
    getOrUndefined<{ doses: Dose[] }>(`/citizens/${citizenId}/adherence?from=${from}&to=${to}`),
    api.request<{ items: Alert[] }>('GET', `/alerts?citizenId=${citizenId}&status=open&limit=50`),
  ]);
  const when = (iso: string) =>
    formatDateTime(iso, lang(), ZONE, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  const tablets = h('section', { 'aria-labelledby': 'tablets-h' });
  main.replaceChildren(
    h('h1', null, nameOf(citizen, citizenId)),
    h(
      'section',
      { 'aria-labelledby': 'grant-h' },
      h('h2', { id: 'grant-h' }, t('finalGrant')),
      grant
        ? h(
            'div',
            null,
            h('p', null, `${t('digitalShare')}: ${Math.round(grant.figures.digitalShare * 100)} %`),
            h(
              'ul',
              null,
              ...grant.current.lines.map((l) =>
                h(
                  'li',
                  null,
                  `${l.service}: ${l.screenVisit} × video, ${l.medicationTechnology} × dispenser, ${l.physical} × fysisk`,
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('noFinalGrant')),
    ),
    h(
      'section',
      { 'aria-labelledby': 'upcoming-h' },
      h('h2', { id: 'upcoming-h' }, t('upcoming')),
      visits.items.length === 0
        ? h('p', { class: 'muted' }, t('noVisits'))
        : h(
            'ul',
            null,
            ...visits.items
              .filter((v) => v.status === 'scheduled' || v.status === 'in_progress')
              .map((v) => h('li', null, `${when(v.start)} · ${v.purpose.service} · ${v.staffId ?? t('unassigned')}`)),
          ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'adh-h' },
      h('h2', { id: 'adh-h' }, t('adherence')),
      h('figure', null, adherencePicture(adherence?.doses ?? [], from, to), legend()),
    ),
    h(
      'section',
      { 'aria-labelledby': 'alerts-h' },
      h('h2', { id: 'alerts-h' }, t('openAlerts')),
      alerts.items.length === 0
        ? h('p', { class: 'muted' }, t('noAlerts'))
        : h(
            'ul',
            null,
            ...alerts.items.map((a) =>
              h(
                'li',
                null,
                `${a.summary} · ${when(a.raisedAt)}`,
                a.escalated ? h('span', { class: 'badge badge-escalated' }, t('escalated')) : null,
              ),
            ),
          ),
    ),
    tablets,
  );
  await tabletsSection(tablets, citizenId).catch((error: unknown) =>
    tablets.replaceChildren(h('h2', { id: 'tablets-h' }, t('tablets')), h('p', { role: 'alert' }, problemText(error))),
  );
}
