import { h } from '../../common/dom.ts';
import { formatDateTime } from '../../common/i18n.ts';
import { api, lang, me, nameOf, problemText, t, teamCitizens, ZONE } from '../context.ts';
import { groupedBars, shareLine } from '../lib/charts.ts';
import { addDays, isoWeekOf, isoWeekday, todayIn, type Visit } from '../lib/day.ts';
import { svg } from '../svg.ts';
import { openAlerts } from './alerts.ts';

interface TrialReport {
  conversion: { digitalShare: number };
  screenVisits: { completed: number; missed: number };
  adherence: { rates: { onTime: number | null } };
}

const WEEKS = 6;

interface StaffMember {
  staffId: string;
  name?: string;
}

const labelOf = (s: StaffMember) => (s.name ? `${s.name} (${s.staffId})` : s.staffId);

/** The team's staff directory, every page of it: whom the lead can hand a visit to. */
async function teamStaff(team: string): Promise<StaffMember[]> {
  const staff: StaffMember[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.request<{ items: StaffMember[]; nextCursor?: string | null }>(
      'GET',
      `/teams/${encodeURIComponent(team)}/staff?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    staff.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return staff;
}

/**
 * The lead's page: unassigned visits to hand out (drag one onto a staff member, or pick from the
 * list beside it: both send the same PATCH and the server decides), escalated alerts, and the
 * trial report for the last weeks as charts.
 */
export async function leadView(main: HTMLElement): Promise<void> {
  const team = me()?.team ?? '';
  const status = h('p', { role: 'status', class: 'status', 'data-testid': 'lead-status' });
  const unassigned = h('ul', { class: 'unassigned', 'aria-label': t('unassigned') });
  const people = h('ul', { class: 'people', 'aria-label': t('staff') });
  const escalations = h('ul', { class: 'alerts' });
  const report = h('div', { class: 'report' });
  main.replaceChildren(
    h('h1', null, t('lead')),
    status,
    h(
      'section',
      { 'aria-labelledby': 'unassigned-h' },
      h('h2', { id: 'unassigned-h' }, t('unassigned')),
      h('p', { class: 'muted' }, t('dragHint')),
      h('div', { class: 'handout' }, unassigned, people),
    ),
    h('section', { 'aria-labelledby': 'esc-h' }, h('h2', { id: 'esc-h' }, t('escalations')), escalations),
    h('section', { 'aria-labelledby': 'report-h' }, h('h2', { id: 'report-h' }, t('report')), report),
  );

  const staff = await teamStaff(team);

  async function handOut(visit: Visit, staffId: string): Promise<void> {
    try {
      await api.request('PATCH', `/visits/${visit.visitId}`, { staffId, expectedVersion: visit.version });
      status.textContent = `${t('handOut')} ${staffId}: ${visit.purpose.service}`;
    } catch (error) {
      status.textContent = problemText(error);
    }
    await loadUnassigned();
  }

  let dragged: Visit | undefined;
  people.replaceChildren(
    ...staff.map((s) =>
      h(
        'li',
        {
          class: 'person',
          'data-staff-id': s.staffId,
          ondragover: (e: DragEvent) => {
            e.preventDefault();
            (e.currentTarget as HTMLElement).classList.add('drop');
          },
          ondragleave: (e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('drop'),
          ondrop: (e: DragEvent) => {
            e.preventDefault();
            (e.currentTarget as HTMLElement).classList.remove('drop');
            if (dragged) void handOut(dragged, s.staffId);
            dragged = undefined;
          },
        },
        labelOf(s),
      ),
    ),
  );

  async function loadUnassigned(): Promise<void> {
    const [page, citizens] = await Promise.all([
      api.request<{ items: Visit[] }>('GET', '/visits?unassigned=true&limit=100'),
      teamCitizens(),
    ]);
    const visits = page.items.filter((v) => v.status === 'scheduled');
    unassigned.replaceChildren(
      ...(visits.length === 0
        ? [h('li', { class: 'muted' }, '—')]
        : visits.map((v) => {
            const pick = h(
              'select',
              { id: `pick-${v.visitId}`, 'aria-label': `${t('handOut')}: ${v.purpose.service}` },
              ...staff.map((s) => h('option', { value: s.staffId }, labelOf(s))),
            );
            return h(
              'li',
              {
                class: 'unassigned-visit',
                draggable: 'true',
                'data-visit-id': v.visitId,
                ondragstart: (e: DragEvent) => {
                  dragged = v;
                  e.dataTransfer?.setData('text/plain', v.visitId);
                },
              },
              h(
                'span',
                null,
                `${formatDateTime(v.start, lang(), ZONE, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })} · ${nameOf(citizens.get(v.citizenId), v.citizenId)} · ${v.purpose.service}`,
              ),
              h(
                'span',
                { class: 'actions' },
                pick,
                h('button', { type: 'button', onclick: () => void handOut(v, pick.value) }, t('handOut')),
              ),
            );
          })),
    );
  }

  async function loadEscalations(): Promise<void> {
    const alerts = (await openAlerts()).filter((a) => a.escalated);
    escalations.replaceChildren(
      ...(alerts.length === 0
        ? [h('li', { class: 'muted' }, '—')]
        : alerts.map((a) =>
            h(
              'li',
              { class: 'alert escalated' },
              h('span', { class: 'badge badge-escalated' }, t('escalated')),
              ` ${a.summary}`,
            ),
          )),
    );
  }

  async function loadReport(): Promise<void> {
    const today = todayIn(ZONE);
    const lastSunday = addDays(today, 7 - isoWeekday(today));
    const weeks = Array.from({ length: WEEKS }, (_, i) => {
      const to = addDays(lastSunday, -7 * (WEEKS - 1 - i));
      return { label: isoWeekOf(to).slice(5), from: addDays(to, -6), to };
    });
    const reports = await Promise.all(
      weeks.map((w) => api.request<TrialReport>('GET', `/reports/trial?from=${w.from}&to=${w.to}`)),
    );
    const share = shareLine(
      reports.map((r, i) => ({ label: weeks[i]?.label ?? '', share: r.conversion.digitalShare })),
    );
    const visits = groupedBars(
      reports.map((r, i) => ({
        label: weeks[i]?.label ?? '',
        values: { completed: r.screenVisits.completed, missed: r.screenVisits.missed },
      })),
      ['completed', 'missed'],
    );
    const onTime = shareLine(
      reports.map((r, i) => ({ label: weeks[i]?.label ?? '', share: r.adherence.rates.onTime ?? 0 })),
    );
    const lineChart = (id: string, title: string, line: ReturnType<typeof shareLine>) =>
      svg(
        'svg',
        { viewBox: '0 0 360 160', role: 'img', 'aria-labelledby': id, class: 'chart', 'data-testid': id },
        svg(
          'title',
          { id },
          `${title}: ${line.points.map((p) => `${p.label} ${Math.round(p.value * 100)} %`).join(', ')}`,
        ),
        svg('line', { x1: 28, y1: 132, x2: 332, y2: 132, class: 'axis-line' }),
        svg('text', { x: 0, y: 32, class: 'axis' }, '100%'),
        svg('text', { x: 0, y: 136, class: 'axis' }, '0%'),
        svg('path', { d: line.path, class: 'series' }),
        ...line.points.flatMap((p) => [
          svg('circle', { cx: p.x, cy: p.y, r: 3, class: 'series-dot' }),
          svg('text', { x: p.x - 10, y: 152, class: 'axis' }, p.label),
        ]),
      );
    report.replaceChildren(
      h('figure', null, lineChart('chart-share', t('digitalShare'), share), h('figcaption', null, t('digitalShare'))),
      h(
        'figure',
        null,
        svg(
          'svg',
          {
            viewBox: '0 0 360 160',
            role: 'img',
            'aria-labelledby': 'chart-visits',
            class: 'chart',
            'data-testid': 'chart-visits',
          },
          svg(
            'title',
            { id: 'chart-visits' },
            `${t('completedVsMissed')}: ${weeks.map((w, i) => `${w.label} ${visits.bars[2 * i]?.value ?? 0}/${visits.bars[2 * i + 1]?.value ?? 0}`).join(', ')}`,
          ),
          svg('line', { x1: 28, y1: 132, x2: 332, y2: 132, class: 'axis-line' }),
          ...visits.bars.map((b) =>
            svg('rect', { x: b.x, y: b.y, width: b.width, height: b.height, class: `bar bar-${b.key}` }),
          ),
          ...visits.groupX.map((g) => svg('text', { x: g.x - 10, y: 152, class: 'axis' }, g.label)),
        ),
        h(
          'figcaption',
          null,
          h('span', { class: 'swatch bar-completed', 'aria-hidden': 'true' }),
          t('completed'),
          ' ',
          h('span', { class: 'swatch bar-missed', 'aria-hidden': 'true' }),
          t('missed'),
        ),
      ),
      h(
        'figure',
        null,
        lineChart('chart-adherence', t('taken_on_time'), onTime),
        h('figcaption', null, `${t('adherence')}: ${t('taken_on_time')}`),
      ),
    );
  }

  await Promise.all([
    loadUnassigned().catch((e: unknown) => {
      status.textContent = problemText(e);
    }),
    loadEscalations().catch((e: unknown) => {
      status.textContent = problemText(e);
    }),
    loadReport().catch((e: unknown) => {
      report.textContent = problemText(e);
    }),
  ]);
}
