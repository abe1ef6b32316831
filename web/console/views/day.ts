import { ApiError } from '../../common/api.ts';
import { h } from '../../common/dom.ts';
import { formatDateTime } from '../../common/i18n.ts';
import {
  api,
  dayPath,
  getOnce,
  JOIN_EARLY_MINUTES,
  lang,
  me,
  nameOf,
  problemText,
  t,
  teamCitizens,
  ZONE,
} from '../context.ts';
import {
  addDays,
  dayRows,
  localDate,
  localTime,
  todayIn,
  zonedIso,
  type Action,
  type DayRow,
  type Visit,
} from '../lib/day.ts';

/** The day a `#/day/<date>` route shows (today without one). */
export const dayOf = (params: string[]) =>
  params[0] && /^\d{4}-\d{2}-\d{2}$/.test(params[0]) ? params[0] : todayIn(ZONE);

/**
 * My day: the visits of one local day in order, the next one pointed at, evening and weekend
 * visits marked, and every action a visit allows right there. The server decides each action
 * (a 409 is shown as it comes); the page reloads the day after each change.
 */
export async function dayView(main: HTMLElement, params: string[]): Promise<() => void> {
  const claims = me();
  const date = dayOf(params);
  let stopVideo: (() => void) | undefined;
  /** Starts asked for so far, and whether the day was left: a video that connects late checks both. */
  let videoStarts = 0;
  let left = false;
  const status = h('p', { role: 'status', class: 'status' });
  const list = h('ol', { class: 'visits', 'aria-label': t('day') });
  const videoArea = h('section', { class: 'video-area', 'aria-label': 'Video', hidden: true });

  const heading = formatDateTime(`${date}T12:00:00Z`, lang(), ZONE, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  main.replaceChildren(
    h('h1', null, `${t('day')} – ${heading}`),
    h(
      'nav',
      { class: 'day-nav', 'aria-label': t('day') },
      h('a', { href: `#/day/${addDays(date, -1)}` }, `← ${t('previousDay')}`),
      h('a', { href: `#/day/${todayIn(ZONE)}` }, t('today')),
      h('a', { href: `#/day/${addDays(date, 1)}` }, `${t('nextDay')} →`),
    ),
    status,
    videoArea,
    list,
  );

  async function load(): Promise<void> {
    const [page, citizens] = await Promise.all([
      getOnce<{ items: Visit[] }>(dayPath(claims?.sub ?? '', date)),
      teamCitizens(),
    ]);
    const rows = dayRows(page.items, new Date(), JOIN_EARLY_MINUTES);
    list.replaceChildren(
      ...(rows.length === 0
        ? [h('li', { class: 'muted' }, t('noVisits'))]
        : rows.map((row) => visitItem(row, nameOf(citizens.get(row.visit.citizenId), row.visit.citizenId)))),
    );
  }

  function visitItem(row: DayRow, citizenName: string): HTMLElement {
    const v = row.visit;
    const form = h('div', { class: 'visit-form' });
    const act = (action: Action) => () => void runAction(action, v, form);
    return h(
      'li',
      { class: `visit${row.next ? ' next' : ''}${row.evening ? ' evening' : ''}`, 'data-visit-id': v.visitId },
      h(
        'div',
        { class: 'visit-head' },
        h('span', { class: 'time' }, `${row.from}–${row.to}`),
        h('a', { href: `#/citizens/${v.citizenId}`, class: 'citizen' }, citizenName),
        h('span', { class: 'service' }, v.purpose.service),
        row.next ? h('span', { class: 'badge badge-next' }, t('next')) : null,
        row.evening ? h('span', { class: 'badge badge-evening' }, t('evening')) : null,
        row.weekend ? h('span', { class: 'badge badge-weekend' }, t('weekend')) : null,
        h('span', { class: `badge status-${v.status}` }, t(v.status)),
      ),
      row.actions.length > 0
        ? h(
            'div',
            { class: 'actions' },
            ...row.actions.map((a) =>
              h(
                'button',
                {
                  type: 'button',
                  class: a === 'start' || a === 'rejoin' ? 'primary' : a === 'cancel' ? 'danger' : '',
                  onclick: act(a),
                  'aria-label': `${t(a)}: ${row.from} ${citizenName}`,
                },
                t(a),
              ),
            ),
          )
        : null,
      form,
    );
  }

  async function runAction(action: Action, v: Visit, form: HTMLElement): Promise<void> {
    status.textContent = '';
    if (action === 'start' || action === 'rejoin') return startVideo(v);
    if (action === 'complete') return completeForm(v, form);
    if (action === 'cancel') return cancelForm(v, form);
    if (action === 'reschedule') return rescheduleForm(v, form);
    if (action === 'guest') return guestForm(v, form);
  }

  async function act(work: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await work();
      status.textContent = done;
      await load();
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  function formWith(form: HTMLElement, title: string, fields: HTMLElement[], submit: () => Promise<void>): void {
    const el = h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          void submit();
        },
      },
      h(
        'fieldset',
        null,
        h('legend', null, title),
        ...fields,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', class: 'primary' }, t('save')),
          h('button', { type: 'button', onclick: () => form.replaceChildren() }, t('close')),
        ),
      ),
    );
    form.replaceChildren(el);
    el.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }

  const field = (id: string, label: string, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control);

  function completeForm(v: Visit, form: HTMLElement): void {
    const result = h(
      'select',
      { id: `outcome-${v.visitId}`, name: 'result' },
      ...(['delivered', 'partly-delivered', 'not-delivered'] as const).map((r) => h('option', { value: r }, t(r))),
    );
    const notes = h('textarea', { id: `notes-${v.visitId}`, name: 'notes', rows: 3, maxlength: 4000 });
    formWith(form, t('complete'), [field(result.id, t('outcome'), result), field(notes.id, t('notes'), notes)], () =>
      act(async () => {
        await api.request('POST', `/visits/${v.visitId}/complete`, {
          result: result.value,
          ...(notes.value.trim() ? { notes: notes.value.trim() } : {}),
        });
        stopVideo?.();
      }, t('completed')),
    );
  }

  function cancelForm(v: Visit, form: HTMLElement): void {
    const reason = h('input', { id: `reason-${v.visitId}`, name: 'reason', required: true, maxlength: 500 });
    formWith(form, t('cancel'), [field(reason.id, t('reason'), reason)], () =>
      act(
        () =>
          api.request('PATCH', `/visits/${v.visitId}`, {
            status: 'cancelled',
            reason: reason.value.trim(),
            expectedVersion: v.version,
          }),
        t('cancelled'),
      ),
    );
  }

  function rescheduleForm(v: Visit, form: HTMLElement): void {
    const day = h('input', { id: `date-${v.visitId}`, type: 'date', required: true, value: localDate(v.start) });
    const time = h('input', {
      id: `time-${v.visitId}`,
      type: 'time',
      required: true,
      step: 300,
      value: localTime(v.start),
    });
    formWith(form, t('reschedule'), [field(day.id, t('date'), day), field(time.id, t('newStart'), time)], () =>
      act(
        () =>
          api.request('PATCH', `/visits/${v.visitId}`, {
            start: zonedIso(day.value, time.value, ZONE),
            expectedVersion: v.version,
          }),
        t('saved'),
      ),
    );
  }

  function guestForm(v: Visit, form: HTMLElement): void {
    const kind = h(
      'select',
      { id: `guest-${v.visitId}`, name: 'kind' },
      h('option', { value: 'relative' }, t('relative')),
      h('option', { value: 'professional' }, t('professional')),
    );
    formWith(form, t('guest'), [field(kind.id, t('guestKind'), kind)], async () => {
      try {
        const guest = await api.request<{ guestId: string }>('POST', `/visits/${v.visitId}/guests`, {
          kind: kind.value,
        });
        const result = h('p', { role: 'status', 'data-testid': 'guest-status' }, t('guestWaits'));
        // The citizen decides on the tablet; the guest's access exists only after a yes.
        const check = async () => {
          try {
            const join = await api.request<{ guestId: string }>(
              'POST',
              `/visits/${v.visitId}/guests/${guest.guestId}/join`,
            );
            result.textContent = `${t('guestReady')} (${join.guestId})`;
          } catch (error) {
            const reason = error instanceof ApiError ? error.problem.reason : undefined;
            result.textContent =
              reason === 'consent-refused'
                ? t('guestRefused')
                : reason === 'consent-missing'
                  ? t('guestWaits')
                  : problemText(error);
          }
        };
        form.replaceChildren(result, h('button', { type: 'button', onclick: () => void check() }, t('guestLink')));
      } catch (error) {
        status.textContent = problemText(error);
      }
    });
  }

  async function startVideo(v: Visit): Promise<void> {
    const thisStart = ++videoStarts;
    try {
      const started = await api.request<{ visit: Visit; join: unknown }>('POST', `/visits/${v.visitId}/start`);
      videoArea.hidden = false;
      // The Chime SDK is loaded here, when a video starts, never with the day view.
      const { openVideo } = await import('../video.ts');
      stopVideo?.();
      const stop = await openVideo(videoArea, started.join, () => {
        videoArea.hidden = true;
        videoArea.replaceChildren();
        stopVideo = undefined;
      });
      // Another start, or leaving the day, came in while this one connected: the camera and the
      // session of this one close now rather than run on unseen.
      if (thisStart !== videoStarts || left) stop();
      // eslint-disable-next-line require-atomic-updates -- checked just above: the latest start, the view still shown
      else stopVideo = stop;
      await load();
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  try {
    await load();
  } catch (error) {
    status.textContent = problemText(error);
  }
  return () => {
    left = true;
    stopVideo?.();
  };
}
