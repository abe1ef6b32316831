import { h } from '../../common/dom.ts';
import { api, getOrUndefined, lang, me, problemText, t, ZONE } from '../context.ts';
import { addDays, isoWeekday, todayIn, weekGrid, type WeekWindow } from '../lib/day.ts';
import { weekdayNames } from '../lib/i18n.ts';
import { svg } from '../svg.ts';

type Exception = { date: string; kind: 'time-off' | 'extra-shift'; start?: string; end?: string };
interface Availability {
  weekly: WeekWindow[];
  exceptions: Exception[];
}

/**
 * The availability editor: weekly windows and dated exceptions as rows of plain inputs, and the
 * result for a chosen week as a grid picture. Save sends the whole set (PUT); the server checks
 * it and a booking never commits against availability that changed under it.
 */
export async function availabilityView(main: HTMLElement): Promise<void> {
  const staffId = me()?.sub ?? '';
  const current = (await getOrUndefined<Availability>(`/staff/${encodeURIComponent(staffId)}/availability`)) ?? {
    weekly: [],
    exceptions: [],
  };
  const weekly: { weekday: number; start: string; end: string }[] = current.weekly.map((w) => ({ ...w }));
  const exceptions: Exception[] = current.exceptions.map((e) => ({ ...e }));
  const today = todayIn(ZONE);
  let monday = addDays(today, 1 - isoWeekday(today));
  const status = h('p', { role: 'status', class: 'status' });
  const weeklyRows = h('tbody');
  const exceptionRows = h('tbody');
  const grid = h('figure', { class: 'week-grid' });
  const names = weekdayNames[lang()];

  function time(id: string, value: string, set: (v: string) => void, label: string) {
    return h('input', {
      id,
      type: 'time',
      step: 900,
      value,
      'aria-label': label,
      onchange: (e: Event) => {
        set((e.target as HTMLInputElement).value);
        drawGrid();
      },
    });
  }

  function drawWeekly(): void {
    weeklyRows.replaceChildren(
      ...weekly.map((w, i) =>
        h(
          'tr',
          null,
          h(
            'td',
            null,
            h(
              'select',
              {
                'aria-label': `${t('weekday')} ${i + 1}`,
                onchange: (e: Event) => {
                  w.weekday = Number((e.target as HTMLSelectElement).value);
                  drawGrid();
                },
              },
              ...names.map((n, d) =>
                h('option', { value: d + 1, ...(w.weekday === d + 1 ? { selected: true } : {}) }, n),
              ),
            ),
          ),
          h(
            'td',
            null,
            time(
              `w-start-${i}`,
              w.start,
              (v) => {
                w.start = v;
              },
              `${t('from')} ${i + 1}`,
            ),
          ),
          h(
            'td',
            null,
            time(
              `w-end-${i}`,
              w.end === '24:00' ? '23:59' : w.end,
              (v) => {
                w.end = v === '23:59' ? '24:00' : v;
              },
              `${t('to')} ${i + 1}`,
            ),
          ),
          h(
            'td',
            null,
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  weekly.splice(i, 1);
                  drawWeekly();
                  drawGrid();
                },
              },
              t('remove'),
            ),
          ),
        ),
      ),
    );
  }

  function drawExceptions(): void {
    exceptionRows.replaceChildren(
      ...exceptions.map((e, i) =>
        h(
          'tr',
          null,
          h(
            'td',
            null,
            h('input', {
              type: 'date',
              value: e.date,
              'aria-label': `${t('date')} ${i + 1}`,
              onchange: (ev: Event) => {
                e.date = (ev.target as HTMLInputElement).value;
                drawGrid();
              },
            }),
          ),
          h(
            'td',
            null,
            h(
              'select',
              {
                'aria-label': `${t('exceptions')} ${i + 1}`,
                onchange: (ev: Event) => {
                  e.kind = (ev.target as HTMLSelectElement).value as Exception['kind'];
                  drawGrid();
                },
              },
              ...(['time-off', 'extra-shift'] as const).map((k) =>
                h('option', { value: k, ...(e.kind === k ? { selected: true } : {}) }, t(k)),
              ),
            ),
          ),
          h(
            'td',
            null,
            time(
              `e-start-${i}`,
              e.start ?? '',
              (v) => {
                e.start = v || undefined;
              },
              `${t('from')} ${i + 1}`,
            ),
          ),
          h(
            'td',
            null,
            time(
              `e-end-${i}`,
              e.end ?? '',
              (v) => {
                e.end = v || undefined;
              },
              `${t('to')} ${i + 1}`,
            ),
          ),
          h(
            'td',
            null,
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  exceptions.splice(i, 1);
                  drawExceptions();
                  drawGrid();
                },
              },
              t('remove'),
            ),
          ),
        ),
      ),
    );
  }

  /** The week as a picture: a column per day, 06:00–24:00, filled where the staff member is available. */
  function drawGrid(): void {
    const dates = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
    const days = weekGrid(weekly, exceptions, dates);
    const col = 84,
      left = 48,
      top = 24,
      hourH = 18,
      firstHour = 6;
    const picture = svg(
      'svg',
      {
        viewBox: `0 0 ${left + 7 * col} ${top + 18 * hourH + 4}`,
        role: 'img',
        'aria-labelledby': 'grid-title',
        class: 'chart',
      },
      svg('title', { id: 'grid-title' }, `${t('availability')} ${dates[0]} – ${dates[6]}`),
      ...Array.from({ length: 19 }, (_, i) =>
        svg('text', { x: 4, y: top + i * hourH + 4, class: 'axis' }, `${String(firstHour + i).padStart(2, '0')}`),
      ),
      ...days.flatMap((d, di) => [
        svg(
          'text',
          { x: left + di * col + 4, y: 16, class: 'axis' },
          `${names[d.weekday - 1]?.slice(0, 3) ?? ''} ${d.date.slice(8)}`,
        ),
        svg('rect', { x: left + di * col, y: top, width: col - 4, height: 18 * hourH, class: 'grid-day' }),
        ...d.quarters.flatMap((on, q) =>
          on && q >= firstHour * 4
            ? [
                svg('rect', {
                  x: left + di * col,
                  y: top + ((q - firstHour * 4) * hourH) / 4,
                  width: col - 4,
                  height: hourH / 4,
                  class: 'grid-open',
                }),
              ]
            : [],
        ),
      ]),
    );
    grid.replaceChildren(
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              monday = addDays(monday, -7);
              drawGrid();
            },
          },
          `← ${t('week')}`,
        ),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              monday = addDays(monday, 7);
              drawGrid();
            },
          },
          `${t('week')} →`,
        ),
      ),
      picture,
      h('figcaption', null, `${dates[0]} – ${dates[6]}`),
    );
  }

  async function save(): Promise<void> {
    try {
      const body = {
        weekly,
        exceptions: exceptions.map((e) => ({
          date: e.date,
          kind: e.kind,
          ...(e.start && e.end ? { start: e.start, end: e.end } : {}),
        })),
      };
      await api.request('PUT', `/staff/${encodeURIComponent(staffId)}/availability`, body);
      status.textContent = t('saved');
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  main.replaceChildren(
    h('h1', null, t('availability')),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          void save();
        },
      },
      ...editableTable(t('weekly'), [t('weekday'), t('from'), t('to')], weeklyRows, t('addWindow'), () => {
        weekly.push({ weekday: 1, start: '08:00', end: '16:00' });
        drawWeekly();
        drawGrid();
      }),
      ...editableTable(
        t('exceptions'),
        [t('date'), t('exceptions'), t('from'), t('to')],
        exceptionRows,
        t('addException'),
        () => {
          exceptions.push({ date: today, kind: 'time-off' });
          drawExceptions();
          drawGrid();
        },
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('save'))),
    ),
    status,
    h('h2', null, t('week')),
    grid,
  );
  drawWeekly();
  drawExceptions();
  drawGrid();
}

/** A heading, a table of editable rows (the last column removes a row) and the button that adds one. */
function editableTable(
  title: string,
  columns: readonly string[],
  rows: HTMLElement,
  addLabel: string,
  add: () => void,
): HTMLElement[] {
  const header = h(
    'tr',
    null,
    ...columns.map((c) => h('th', { scope: 'col' }, c)),
    h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('remove'))),
  );
  return [
    h('h2', null, title),
    h('table', null, h('thead', null, header), rows),
    h('button', { type: 'button', onclick: add }, addLabel),
  ];
}
