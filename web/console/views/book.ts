import { ApiError } from '../../common/api.ts';
import { h } from '../../common/dom.ts';
import { api, getOrUndefined, isLead, me, nameOf, problemText, t, teamCitizens, ZONE } from '../context.ts';
import { localDate, localTime, todayIn } from '../lib/day.ts';

interface Slot {
  staffId: string;
  start: string;
  end: string;
}
interface PlanEntry {
  grantId: string;
  service: string;
}

/**
 * Book from free time: pick a citizen, a day and a length, search the free slots (the staff
 * member's own, or the whole team's for a lead), press one. The server's answer decides: a slot
 * taken meanwhile is a 409, shown as such, and the search runs again.
 */
export async function bookView(main: HTMLElement): Promise<void> {
  const claims = me();
  const citizens = await teamCitizens();
  const citizen = h(
    'select',
    { id: 'book-citizen', name: 'citizen', required: true },
    ...[...citizens.values()]
      .sort((a, b) => nameOf(a, '').localeCompare(nameOf(b, '')))
      .map((c) => h('option', { value: c.citizenId }, nameOf(c, c.citizenId))),
  );
  const date = h('input', { id: 'book-date', name: 'date', type: 'date', required: true, value: todayIn(ZONE) });
  const duration = h(
    'select',
    { id: 'book-duration', name: 'duration' },
    ...[15, 20, 30, 45, 60].map((m) => h('option', { value: m, ...(m === 20 ? { selected: true } : {}) }, String(m))),
  );
  const purpose = h('select', { id: 'book-purpose', name: 'purpose' });
  const scope = h(
    'select',
    { id: 'book-scope', name: 'scope' },
    h('option', { value: 'me' }, t('onlyMe')),
    h('option', { value: 'team' }, t('whole')),
  );
  const status = h('p', { role: 'status', class: 'status', 'data-testid': 'book-status' });
  const results = h('ul', { class: 'slots', 'aria-label': t('search') });

  async function loadPurposes(): Promise<void> {
    const grant = await getOrUndefined<{ current: { screenVisitPlan: PlanEntry[] } }>(
      `/citizens/${citizen.value}/final-grant`,
    );
    const plan = grant?.current.screenVisitPlan ?? [];
    // A citizen without a final grant may still get a one-off visit (e.g. an introduction).
    const options = plan.length > 0 ? plan : [{ grantId: 'one-off', service: t('service') }];
    purpose.replaceChildren(
      ...options.map((p, i) =>
        h('option', { value: String(i), 'data-grant': p.grantId, 'data-service': p.service }, p.service),
      ),
    );
  }

  async function search(): Promise<void> {
    status.textContent = t('loading');
    const q = `date=${date.value}&durationMinutes=${duration.value}&stepMinutes=15&citizenId=${citizen.value}`;
    const path =
      scope.value === 'team'
        ? `/teams/${claims?.team}/free-slots?${q}`
        : `/staff/${encodeURIComponent(claims?.sub ?? '')}/free-slots?${q}`;
    try {
      const answer = await api.request<{ slots: Slot[]; bufferMinutes: number }>('GET', path);
      results.replaceChildren(
        ...answer.slots.map((slot) =>
          h(
            'li',
            null,
            h(
              'button',
              { type: 'button', class: 'slot', 'data-start': slot.start, onclick: () => void book(slot) },
              `${localTime(slot.start)}–${localTime(slot.end)}`,
              scope.value === 'team' ? ` · ${slot.staffId}` : '',
            ),
          ),
        ),
      );
      status.textContent =
        answer.slots.length === 0 ? t('noSlots') : `${answer.slots.length} · buffer ${answer.bufferMinutes} min`;
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  async function book(slot: Slot): Promise<void> {
    const chosen = purpose.selectedOptions[0];
    try {
      const visit = await api.request<{ visitId: string; start: string }>('POST', '/visits', {
        citizenId: citizen.value,
        staffId: slot.staffId,
        start: slot.start,
        durationMinutes: Number(duration.value),
        purpose: { grantId: chosen?.dataset.grant ?? 'one-off', service: chosen?.dataset.service ?? 'screen visit' },
      });
      results.replaceChildren();
      status.replaceChildren(
        `${t('booked')}: ${localTime(visit.start)} `,
        h('a', { href: `#/day/${localDate(visit.start)}` }, t('day')),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        status.textContent = t('taken');
        await search();
        status.textContent = `${t('taken')} ${status.textContent}`;
      } else status.textContent = problemText(error);
    }
  }

  citizen.addEventListener('change', () => void loadPurposes());
  const field = (control: HTMLElement, label: string) =>
    h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  main.replaceChildren(
    h('h1', null, t('book')),
    h(
      'form',
      {
        class: 'book-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void search();
        },
      },
      field(citizen, t('citizen')),
      field(purpose, t('service')),
      field(date, t('date')),
      field(duration, t('duration')),
      isLead() ? field(scope, t('staff')) : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('search'))),
    ),
    status,
    results,
  );
  if (citizen.value)
    await loadPurposes().catch((error: unknown) => {
      status.textContent = problemText(error);
    });
}
