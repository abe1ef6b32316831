import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '#shared/alerts/alerts.ts';
import { registerCitizen, uniqueNationalId } from '../care/care-helpers.ts';
import { registerStaff } from '../visits/visit-helpers.ts';
import { axeViolations, screenshot, startWebStack, type WebStack } from './support.ts';

/**
 * The staff console in Chromium against the whole API: a care worker signs in, sees the day,
 * books from free time, starts a video the citizen's tablet joins, handles alerts; a lead hands
 * out a visit; another team sees nothing. Every page passes axe; booking and acknowledging work
 * by keyboard alone. The clock is the real one: visits are booked relative to now.
 */
const ZONE = 'Europe/Copenhagen';
const allDay = {
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
  exceptions: [],
};
const purpose = { grantId: 'one-off', service: 'Medicinsamtale' };
const localDate = (at: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
const localTime = (at: Date) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
const tomorrow = () => localDate(new Date(Date.now() + 86_400_000));

let stack: WebStack;
let anna: string;
let bo: string;
let lead: string;
let assessor: string;
let westStaff: string;
let karen: string;
let jens: string;
let westCitizen: string;

async function call(method: string, path: string, as: string, body?: unknown): Promise<any> {
  const res = await stack.t.call(method, path, { as, ...(body !== undefined ? { body } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/** Tomorrow at hh:mm local, as the API takes it. */
async function bookTomorrow(as: string, citizenId: string, staffId: string, hhmm: string, minutes = 20): Promise<any> {
  const offset = (
    await call('GET', `/staff/${staffId}/free-slots?date=${tomorrow()}&durationMinutes=5&stepMinutes=60`, as)
  ).from.slice(-6);
  return call('POST', '/visits', as, {
    citizenId,
    staffId,
    start: `${tomorrow()}T${hhmm}:00${offset}`,
    durationMinutes: minutes,
    purpose,
  });
}

async function signIn(page: Page, token: string, hash = '#/day'): Promise<void> {
  await page.goto(`/console/${hash}`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.locator('nav').getByRole('link', { name: 'Min dag' }).waitFor();
}

/** Presses Tab until the element matching `selector` has the focus (keyboard only). */
async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await page.evaluate(`!!document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`))
      return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

beforeAll(async () => {
  stack = await startWebStack();
  const t = stack.t;
  [anna, bo, lead, assessor, westStaff] = await Promise.all([
    t.token('staff', 'stf-anna', 'east'),
    t.token('staff', 'stf-bo', 'east'),
    t.token('lead', 'lead-lis', 'east'),
    t.token('assessor', 'asr-east', 'east'),
    t.token('staff', 'stf-wes', 'west'),
  ]);
  karen = await registerCitizen(t, assessor, { given: 'Karen', family: 'Sørensen' }, uniqueNationalId());
  jens = await registerCitizen(t, assessor, { given: 'Jens', family: 'Holm' }, uniqueNationalId());
  westCitizen = await registerCitizen(
    t,
    await t.token('assessor', 'asr-west', 'west'),
    { given: 'Vestlig', family: 'Borger' },
    uniqueNationalId(),
  );
  // Staff are in the team's directory before anyone schedules them.
  await registerStaff(t, 'east', 'stf-anna', 'stf-bo', 'lead-lis');
  await registerStaff(t, 'west', 'stf-wes');
  await call('PUT', '/staff/stf-anna/availability', anna, allDay);
  await call('PUT', '/staff/stf-bo/availability', bo, allDay);
  await call('PUT', '/staff/stf-wes/availability', westStaff, allDay);
}, 300_000);

afterAll(async () => stack?.close());

describe('a care worker’s console', { timeout: 60_000 }, () => {
  it('signs in with a local token and sees the day’s visits in order, the evening one marked', async () => {
    await bookTomorrow(anna, karen, 'stf-anna', '19:00');
    await bookTomorrow(anna, jens, 'stf-anna', '09:00');
    const { page } = await stack.newPage();
    await page.goto('/console/');
    expect(await page.getAttribute('html', 'lang')).toBe('da');
    expect(await axeViolations(page)).toEqual([]);
    await signIn(page, anna, `#/day/${tomorrow()}`);
    const visits = page.locator('li.visit');
    await expect.poll(() => visits.count()).toBe(2);
    expect(await visits.nth(0).textContent()).toContain('09:00');
    expect(await visits.nth(0).textContent()).toContain('Jens Holm');
    expect(await visits.nth(1).textContent()).toContain('Karen Sørensen');
    expect(await visits.nth(1).getAttribute('class')).toContain('evening');
    expect(await visits.nth(0).getByRole('button', { name: /Flyt/ }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console', 'day');

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^My day/);
    await page.getByRole('button', { name: 'Dansk' }).click();
  });

  it('books from the free-time search by keyboard alone and sees the visit appear in the day', async () => {
    const { page } = await stack.newPage();
    await signIn(page, anna, '#/book');
    await page.locator('#book-citizen').waitFor();
    await tabTo(page, '#book-citizen');
    await page.keyboard.press('ArrowDown'); // the second citizen by name: Karen (after Jens)
    // The date field starts at today: the search looks at the rest of today.
    expect(await page.locator('#book-date').inputValue()).toBe(localDate(new Date()));
    await tabTo(page, 'form.book-form button[type=submit]');
    await page.keyboard.press('Enter');
    const first = page.locator('button.slot').first();
    await first.waitFor();
    const start = (await first.getAttribute('data-start')) ?? '';
    await tabTo(page, 'button.slot');
    expect(await page.evaluate('document.activeElement.dataset.start')).toBe(start);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console', 'booking');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('book-status').textContent()).toContain('Booket');

    const booked = await call('GET', `/visits?citizenId=${karen}&date=${start.slice(0, 10)}`, anna);
    expect(booked.items.map((v: { start: string }) => v.start.slice(0, 16))).toContain(start.slice(0, 16));
    await page.getByTestId('book-status').getByRole('link').click();
    await expect
      .poll(() => page.locator(`li.visit .time`).allTextContents())
      .toContain(`${start.slice(11, 16)}–${localTime(new Date(Date.parse(start) + 20 * 60_000))}`);
  });

  it('a booking race on an advised slot is decided by the server: the console shows the slot was taken', async () => {
    const { page } = await stack.newPage();
    await signIn(page, anna, '#/book');
    await page.locator('#book-date').fill(tomorrow());
    await page.locator('#book-citizen').selectOption(jens);
    await page.getByRole('button', { name: 'Søg ledig tid' }).click();
    const slot = page.locator('button.slot').first();
    const start = (await slot.getAttribute('data-start')) ?? '';
    // Someone else (the lead) books that time for Anna first.
    await call('POST', '/visits', lead, { citizenId: karen, staffId: 'stf-anna', start, durationMinutes: 20, purpose });
    await slot.click();
    await expect.poll(() => page.getByTestId('book-status').textContent()).toContain('Tiden blev taget');
  });

  it('starts a visit in the page: the Chime SDK loads only then, and the citizen’s tile shows when the tablet joins', async () => {
    const now = Date.now();
    const start = new Date(Math.ceil((now + 60_000) / 300_000) * 300_000);
    const offset = (
      await call('GET', `/staff/stf-bo/free-slots?date=${localDate(start)}&durationMinutes=5&stepMinutes=60`, bo)
    ).from.slice(-6);
    const visit = await call('POST', '/visits', bo, {
      citizenId: jens,
      staffId: 'stf-bo',
      start: `${localDate(start)}T${localTime(start)}:00${offset}`,
      durationMinutes: 30,
      purpose,
    });
    const { page } = await stack.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await signIn(page, bo, `#/day/${localDate(start)}`);
    const row = page.locator(`li.visit[data-visit-id="${visit.visitId}"]`);
    await row.waitFor();
    expect(scripts.some((s) => s.includes('/assets/video-'))).toBe(false);
    await row.getByRole('button', { name: /Start video/ }).click();
    await page.getByTestId('video-state').waitFor();
    expect(scripts.some((s) => s.includes('/assets/video-'))).toBe(true);
    await expect
      .poll(
        () => page.getByTestId('tile-own').evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth > 0),
        { timeout: 15_000 },
      )
      .toBe(true);
    expect(await page.getByTestId('tile-citizen').isVisible()).toBe(false);
    // The SDK really opened its signalling connection to the local meeting stand-in.
    await expect.poll(() => stack.t.deps.meetings.signalling.length, { timeout: 15_000 }).toBeGreaterThan(0);

    // Jens's tablet, paired with a code, in its own browser context: one tap joins the visit.
    const before = stack.t.deps.meetings.signalling.length;
    const { code } = await call('POST', `/citizens/${jens}/tablet-pairings`, bo);
    const tablet = await stack.newPage();
    await tablet.page.goto('/tablet');
    await tablet.page.getByLabel('Kode').fill(code);
    await tablet.page.getByRole('button', { name: 'Forbind' }).click();
    await tablet.page.getByRole('button', { name: 'Deltag i besøget' }).click();
    await expect.poll(() => page.getByTestId('tile-citizen').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('video-state').textContent()).toBe('Borgeren er med');
    // Both sides' SDK sessions connected to the meeting, each with its own attendee.
    await expect.poll(() => stack.t.deps.meetings.signalling.length, { timeout: 20_000 }).toBeGreaterThan(before);
    const attendees = new Set(stack.t.deps.meetings.signalling.map((s) => s.attendeeId));
    expect(attendees.size).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'console', 'video');

    // A relative is added; they get access only after Jens says yes on the tablet.
    await row.getByRole('button', { name: /Tilføj gæst/ }).click();
    await row.getByRole('button', { name: 'Gem' }).click();
    await expect.poll(() => row.getByTestId('guest-status').textContent()).toContain('venter på borgerens samtykke');
    await row.getByRole('button', { name: 'Gæstens adgang' }).click();
    await expect.poll(() => row.getByTestId('guest-status').textContent()).toContain('venter');
    const guestId = (await call('GET', `/visits/${visit.visitId}`, bo)).guests[0].guestId;
    const consent = await stack.t.call('POST', `/visits/${visit.visitId}/guests/${guestId}/consent`, {
      as: await stack.t.token('citizen', jens, 'east'),
      body: { consent: true },
    });
    expect(consent.status).toBe(200);
    await row.getByRole('button', { name: 'Gæstens adgang' }).click();
    await expect.poll(() => row.getByTestId('guest-status').textContent()).toContain('sagt ja');

    await row.getByRole('button', { name: /Afslut/ }).click();
    await row.locator('select[name=result]').selectOption('delivered');
    await row.getByRole('button', { name: 'Gem' }).click();
    await expect.poll(async () => (await call('GET', `/visits/${visit.visitId}`, bo)).status).toBe('completed');
  });

  it('reschedules a visit and cancels another with a reason', async () => {
    const moved = await bookTomorrow(anna, jens, 'stf-anna', '14:00');
    const dropped = await bookTomorrow(anna, jens, 'stf-anna', '15:00');
    const { page } = await stack.newPage();
    await signIn(page, anna, `#/day/${tomorrow()}`);
    const row = page.locator(`li.visit[data-visit-id="${moved.visitId}"]`);
    await row.getByRole('button', { name: /Flyt/ }).click();
    await row.locator('input[type=time]').fill('16:30');
    await row.getByRole('button', { name: 'Gem' }).click();
    await expect
      .poll(async () => (await call('GET', `/visits/${moved.visitId}`, anna)).start.slice(11, 16))
      .toBe('16:30');
    // The day is drawn again after the move; the cancel form is opened in that new list, not the old one.
    await expect.poll(() => row.textContent()).toContain('16:30');
    const other = page.locator(`li.visit[data-visit-id="${dropped.visitId}"]`);
    await other.getByRole('button', { name: /Aflys/ }).click();
    await other.locator('input[name=reason]').fill('Borgeren er på sygehuset');
    await other.getByRole('button', { name: 'Gem' }).click();
    await expect
      .poll(async () => (await call('GET', `/visits/${dropped.visitId}`, anna)).cancelReason)
      .toBe('Borgeren er på sygehuset');
    await expect.poll(() => other.count()).toBe(0);
  });

  it('acknowledges with a note by keyboard and resolves an alert; a new alert appears without a reload', async () => {
    const raise = (dose: string) =>
      raiseAlert(stack.t.deps, {
        kind: 'missed_dose',
        team: 'east',
        citizenId: karen,
        dedupKey: `missed_dose#${karen}#${dose}`,
        summary: `Missed dose ${dose}`,
        occurredAt: new Date(),
      });
    const first = await raise('08:00');
    const { page } = await stack.newPage();
    await signIn(page, anna, '#/alerts');
    const item = page.locator(`li.alert[data-alert-id="${first.alertId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('Karen Sørensen');
    await screenshot(page, 'console', 'alerts');
    expect(await axeViolations(page)).toEqual([]);

    await tabTo(page, `#note-${first.alertId}`);
    await page.keyboard.type('Ringet til Karen');
    await page.keyboard.press('Enter');
    await expect.poll(() => item.locator('.badge').allTextContents()).toContain('Kvitteret');
    const acked = (await call('GET', `/alerts?citizenId=${karen}&status=acknowledged`, anna)).items[0];
    expect(acked).toMatchObject({
      alertId: first.alertId,
      acknowledgedBy: 'stf-anna',
      acknowledgementNote: 'Ringet til Karen',
    });

    const second = await raise('20:00');
    await expect
      .poll(() => page.locator(`li.alert[data-alert-id="${second.alertId}"]`).count(), { timeout: 15_000 })
      .toBe(1);
    expect(await page.locator('li.alert').first().getAttribute('data-alert-id')).toBe(second.alertId);

    await item.locator('input[name=note]').fill('Dosis taget senere');
    await item.getByRole('button', { name: 'Løs' }).click();
    await expect.poll(() => page.locator(`li.alert[data-alert-id="${first.alertId}"]`).count()).toBe(0);
    expect((await call('GET', `/alerts?citizenId=${karen}&status=resolved`, anna)).items[0]).toMatchObject({
      alertId: first.alertId,
      resolution: 'Dosis taget senere',
    });
  });

  it('the citizen page shows the upcoming visits, a 30-day adherence picture, open alerts, and pairs and revokes a tablet', async () => {
    const { page } = await stack.newPage();
    await signIn(page, anna, `#/citizens/${karen}`);
    await page.getByTestId('adherence-chart').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Karen Sørensen');
    expect(await page.locator('[data-testid=adherence-chart]').evaluate((el) => el.tagName.toLowerCase())).toBe('svg');
    expect(await page.locator('main table').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Par ny tablet' }).click();
    const code = (await page.getByTestId('pairing-code').textContent()) ?? '';
    expect((await stack.t.call('POST', '/tablet-pairings/redeem', { body: { code } })).status).toBe(201);
    await page.reload();
    const tablet = page.locator('li[data-tablet-id]');
    await tablet.waitFor();
    await screenshot(page, 'console', 'citizen');
    await tablet.getByRole('button', { name: /Tilbagekald/ }).click();
    await expect.poll(() => page.locator('li[data-tablet-id]').count()).toBe(0);
    expect((await call('GET', `/citizens/${karen}/tablets`, anna)).items[0].status).toBe('revoked');
  });
});

describe('a lead’s console', { timeout: 60_000 }, () => {
  it('hands an unassigned visit to a staff member by picking, and another by dragging', async () => {
    const picked = await bookTomorrow(lead, karen, 'stf-anna', '11:00');
    const dragged = await bookTomorrow(lead, jens, 'stf-anna', '12:00');
    await call('PATCH', `/visits/${picked.visitId}`, lead, { staffId: null });
    await call('PATCH', `/visits/${dragged.visitId}`, lead, { staffId: null });
    const { page } = await stack.newPage();
    await signIn(page, lead, '#/lead');
    const item = page.locator(`li.unassigned-visit[data-visit-id="${picked.visitId}"]`);
    await item.waitFor();
    await page.getByTestId('chart-share').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console', 'lead');
    await item.locator('select').selectOption('stf-bo');
    await item.getByRole('button', { name: 'Giv til' }).click();
    await expect.poll(async () => (await call('GET', `/visits/${picked.visitId}`, lead)).staffId).toBe('stf-bo');
    await expect.poll(() => item.count()).toBe(0);

    await page
      .locator(`li.unassigned-visit[data-visit-id="${dragged.visitId}"]`)
      .dragTo(page.locator('li.person[data-staff-id="stf-anna"]'));
    await expect.poll(async () => (await call('GET', `/visits/${dragged.visitId}`, lead)).staffId).toBe('stf-anna');
  });
});

describe('team boundaries and accessibility', { timeout: 60_000 }, () => {
  it('a staff member of another team sees none of this team’s citizens anywhere', async () => {
    await raiseAlert(stack.t.deps, {
      kind: 'missed_dose',
      team: 'east',
      citizenId: karen,
      dedupKey: `missed_dose#${karen}#west-check`,
      summary: 'East only',
      occurredAt: new Date(),
    });
    const { page } = await stack.newPage();
    await signIn(page, westStaff, '#/citizens');
    await page.locator('ul.citizens').waitFor();
    const seen = async () => (await page.locator('main').textContent()) ?? '';
    expect(await seen()).toContain('Vestlig Borger');
    for (const hash of ['#/citizens', `#/day/${tomorrow()}`, '#/alerts', '#/book']) {
      await page.goto(`/console/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const text = await seen();
      expect(text).not.toContain('Karen');
      expect(text).not.toContain('Jens');
      expect(text).not.toContain('East only');
    }
    expect(await page.locator('#book-citizen option').allTextContents()).toEqual(['Vestlig Borger']);
    await page.goto(`/console/#/citizens/${karen}`);
    await expect.poll(() => page.locator('main [role=alert]').textContent()).toContain('404');
    expect(await seen()).not.toContain('Karen');
    expect(westCitizen).toMatch(/^cit_/);
  });

  it('every console page has no serious or critical axe violation', async () => {
    const { page } = await stack.newPage();
    await signIn(page, lead, '#/day');
    for (const hash of [
      '#/day',
      '#/book',
      '#/availability',
      '#/alerts',
      '#/citizens',
      `#/citizens/${jens}`,
      '#/lead',
    ]) {
      await page.goto(`/console/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      expect({ hash, violations: await axeViolations(page) }).toEqual({ hash, violations: [] });
    }
    await screenshot(page, 'console', 'availability');
  });

  it('availability edits show on the week grid and are saved', async () => {
    const { page } = await stack.newPage();
    await signIn(page, bo, '#/availability');
    await page.getByRole('button', { name: 'Tilføj undtagelse' }).click();
    await page.getByRole('button', { name: 'Gem', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toBe('Gemt');
    const saved = await call('GET', '/staff/stf-bo/availability', bo);
    expect(saved.exceptions).toHaveLength(1);
    expect(saved.exceptions[0].kind).toBe('time-off');
    expect(await page.locator('svg rect.grid-open').count()).toBeGreaterThan(0);
  });
});

describe('IT support in the console', { timeout: 60_000 }, () => {
  it('signs in to the alerts only, sees the technical alert and not the clinical one, and acknowledges it', async () => {
    const ida = await stack.t.token('support', 'it-ida', 'east');
    const technical = await raiseAlert(stack.t.deps, {
      kind: 'device_silent',
      team: 'east',
      dispenserId: 'dsp_01KAQ3YDS0T2V4X6Z8B0D2F4H6',
      dedupKey: 'device_silent#dsp_01KAQ3YDS0T2V4X6Z8B0D2F4H6#support',
      summary: 'Dispenser silent since 05:00',
      occurredAt: new Date(),
    });
    const clinical = await raiseAlert(stack.t.deps, {
      kind: 'missed_dose',
      team: 'east',
      citizenId: jens,
      dedupKey: `missed_dose#${jens}#support`,
      summary: 'Missed dose (not for support)',
      occurredAt: new Date(),
    });
    const { page } = await stack.newPage();
    const refused: string[] = [];
    page.on('response', (res) => {
      // The console's own files are not the API (a local console has no auth.json: 401).
      const api = !new URL(res.url()).pathname.startsWith('/console/');
      if (api && (res.status() >= 400 || res.url().includes('/citizens'))) refused.push(`${res.status()} ${res.url()}`);
    });
    await page.goto('/console/');
    await page.locator('#token').fill(ida);
    await page.getByRole('button', { name: 'Log ind' }).click();
    const item = page.locator(`li.alert[data-alert-id="${technical.alertId}"]`);
    await item.waitFor();
    expect(page.url()).toContain('#/alerts');
    expect(await page.locator('nav a').allTextContents()).toEqual(['Alarmer']);
    expect(await page.locator(`li.alert[data-alert-id="${clinical.alertId}"]`).count()).toBe(0);
    await page.waitForLoadState('networkidle');
    expect(await axeViolations(page)).toEqual([]);

    await item.locator('input[name=note]').fill('Router genstartet');
    await item.getByRole('button', { name: 'Kvittér' }).click();
    await expect.poll(() => item.locator('.badge').allTextContents()).toContain('Kvitteret');
    expect(await call('GET', `/alerts/${technical.alertId}`, ida)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'it-ida',
      acknowledgementNote: 'Router genstartet',
    });
    expect((await call('GET', `/alerts/${clinical.alertId}`, lead)).status).toBe('open');

    // Another view's address falls back to the alerts; support never asks for citizens.
    await page.goto('/console/#/day');
    await page.locator('main h1', { hasText: 'Alarmkø' }).waitFor();
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Alarmer');
    await page.waitForLoadState('networkidle');
    expect(refused).toEqual([]);
  });
});
