import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../support/app.ts';
import { annasWeek, book, newCitizen, setAvailability } from '../visits/visit-helpers.ts';
import { axeViolations, screenshot, startWebStack, tabOrder, visibleControls, type WebStack } from './support.ts';

/**
 * Karen's tablet, in Chromium: paired once with a code, then the home screen before, inside and
 * after the join window, one tap into the call, and her consent to a guest. The server's clock
 * decides the window (FixedClock), as on AWS.
 */
let stack: WebStack;
let clock: FixedClock;
let anna: string;
let karen: string;

beforeAll(async () => {
  clock = new FixedClock(new Date('2026-11-23T06:00:00Z')); // Monday 07:00 in Copenhagen
  stack = await startWebStack({ clock });
  anna = await stack.staffToken('stf-anna');
  await setAvailability(stack.t, anna, 'stf-anna', annasWeek);
  karen = await newCitizen(stack.t, await stack.staffToken('asr-east', 'assessor'), 'Karen');
});
afterAll(async () => stack?.close());

async function pairingCode(): Promise<{ code: string; pairingUrl: string }> {
  const res = await stack.t.call('POST', `/citizens/${karen}/tablet-pairings`, { as: anna });
  expect(res.status).toBe(201);
  return res.body;
}

/** A tablet with its own storage, paired by typing the code. */
async function pairedTablet(
  options: { zoom?: number; viewport?: { width: number; height: number } } = {},
  heading = 'Dit næste skærmbesøg',
): Promise<Page> {
  const { code } = await pairingCode();
  const { page } = await stack.newPage(options);
  await page.goto('/tablet');
  await page.getByLabel('Kode').fill(code);
  await page.getByRole('button', { name: 'Forbind' }).click();
  await page.getByRole('heading', { name: heading }).waitFor();
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  const controls = await visibleControls(page);
  const reached = await tabOrder(page);
  expect(controls.length).toBeGreaterThan(0);
  for (const control of controls) expect(reached).toContain(control);
}

describe('pairing instead of passwords', () => {
  it('the tablet pairs with a typed code, stays signed in across a reload, and is out once staff revoke it', async () => {
    clock.set('2026-11-23T06:00:00Z');
    await book(stack.t, anna, { citizenId: karen, staffId: 'stf-anna', start: '2026-11-23T09:00:00+01:00' });
    const { code } = await pairingCode();
    const { page } = await stack.newPage();
    await page.goto('/tablet');
    await page.getByRole('heading', { name: 'Forbind tabletten' }).waitFor();
    expect(await page.locator('input[type=password]').count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'tablet', '01-pairing');
    await page.getByLabel('Kode').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Forbind' }).click();
    await page.getByRole('heading', { name: 'Dit næste skærmbesøg' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Dit næste skærmbesøg' }).waitFor();
    expect(await page.getByText('Forbind tabletten').count()).toBe(0);

    const tablets = await stack.t.call('GET', `/citizens/${karen}/tablets`, { as: anna });
    const active = tablets.body.items.filter((i: any) => i.status === 'active');
    expect(active).toHaveLength(1);
    expect(
      (await stack.t.call('DELETE', `/citizens/${karen}/tablets/${active[0].tabletId}`, { as: anna })).status,
    ).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: 'Forbind tabletten' }).waitFor();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('ikke længere forbundet');
    expect(await page.evaluate('localStorage.getItem("e-team.tablet.token")')).toBeNull();
  });

  it('scanning the QR image opens the tablet page with the code, which pairs at once and leaves the address', async () => {
    const { pairingUrl } = await pairingCode();
    const { page } = await stack.newPage();
    await page.goto(new URL(pairingUrl).pathname + new URL(pairingUrl).search);
    await page.getByRole('heading', { name: 'Dit næste skærmbesøg' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
  });

  it('a used code is refused on the tablet with a plain explanation', async () => {
    const { code } = await pairingCode();
    expect((await stack.t.call('POST', '/tablet-pairings/redeem', { body: { code } })).status).toBe(201);
    const { page } = await stack.newPage();
    await page.goto('/tablet');
    await page.getByLabel('Kode').fill(code);
    await page.getByRole('button', { name: 'Forbind' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Koden virker ikke');
  });
});

describe('the home screen and one-tap join', () => {
  let visitId: string;

  it('before the window it says when it opens; inside it one button; the staff member not there yet is said', async () => {
    clock.set('2026-11-23T06:00:00Z');
    const visit = await book(stack.t, anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-11-23T10:00:00+01:00',
    });
    visitId = visit.visitId;
    clock.set('2026-11-23T08:30:00Z'); // 09:30; the earlier 09:00 visit has ended, this one opens 09:50
    const page = await pairedTablet();
    await expect.poll(() => page.locator('main').textContent()).toContain('Du kan gå ind i besøget fra klokken 09.50');
    expect(await page.getByRole('button', { name: 'Deltag i besøget' }).count()).toBe(0);
    expect(await page.locator('.when').textContent()).toMatch(/mandag 23\. november.*10\.00/);
    await expectAccessible(page);
    await screenshot(page, 'tablet', '02-home-before-window');

    clock.set('2026-11-23T08:52:00Z'); // 09:52: inside the window
    await page.reload();
    await page.getByRole('button', { name: 'Deltag i besøget' }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe(
      'Medarbejderen er ikke kommet endnu. Du kan godt gå ind og vente.',
    );
    await expectAccessible(page);
    await screenshot(page, 'tablet', '03-home-waiting-for-staff');
  });

  it('one tap loads the Chime SDK, creates a MeetingSession from the join response and connects to this machine’s signalling with the attendee’s token', async () => {
    expect((await stack.t.call('POST', `/visits/${visitId}/start`, { as: anna })).status).toBe(200);
    const page = await pairedTablet();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Medarbejderen venter på dig.');
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    expect(scripts.filter((s) => s.includes('/assets/call-'))).toEqual([]);
    const before = stack.t.deps.meetings.signalling.length;

    const joinResponse = page.waitForResponse((r) => r.url().endsWith(`/visits/${visitId}/join`));
    await page.getByRole('button', { name: 'Deltag i besøget' }).click();
    const join = await (await joinResponse).json();
    expect(join.meeting.MediaPlacement.SignalingUrl).toBe(
      `${stack.url.replace('http', 'ws')}/local-chime/signal/${join.meeting.MeetingId}`,
    );
    await page.getByRole('button', { name: 'Læg på' }).waitFor();
    expect(scripts.some((s) => s.startsWith('/assets/call-'))).toBe(true);

    // The SDK's session opened its signalling WebSocket here, authenticated with this attendee's join token.
    await expect.poll(() => stack.t.deps.meetings.signalling.length, { timeout: 20_000 }).toBeGreaterThan(before);
    const connection = stack.t.deps.meetings.signalling.at(-1);
    expect(connection).toMatchObject({
      meetingId: join.meeting.MeetingId,
      attendeeId: join.attendee.AttendeeId,
      joinToken: join.attendee.JoinToken,
    });
    expect(await page.evaluate('document.body.dataset.callState')).toBe('connecting');
    // Connecting is the citizen's check-in: the local call reports it as Chime's AttendeeJoined.
    const attendance = async () => (await stack.t.call('GET', `/visits/${visitId}`, { as: anna })).body.attendance;
    await expect.poll(attendance, { timeout: 15_000 }).toMatchObject({ citizenJoinedAt: clock.now().toISOString() });

    // Own preview from the (fake) camera; the staff video waits for the staff member's tile.
    await expect
      .poll(() => page.evaluate('document.getElementById("own-video").srcObject !== null'), { timeout: 15_000 })
      .toBe(true);
    expect(await page.getByText('Venter på medarbejderen …').isVisible()).toBe(true);

    const mute = page.getByRole('button', { name: 'Slå mikrofonen fra' });
    await mute.click();
    await page.getByRole('button', { name: 'Slå mikrofonen til' }).waitFor();
    expect(await page.getByRole('button', { name: 'Slå mikrofonen til' }).getAttribute('aria-pressed')).toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'tablet', '04-call');

    await page.getByRole('button', { name: 'Læg på' }).click();
    await page.getByRole('button', { name: 'Deltag i besøget' }).waitFor();
    expect(await page.evaluate('document.body.dataset.callState')).toBe('stopped');
    // The stand-in never completes Chime's signalling handshake, so the SDK's hang-up leaves its
    // half-open socket be; the tablet leaving the page closes it, and that is the citizen leaving.
    await page.close();
    await expect.poll(attendance, { timeout: 15_000 }).toHaveProperty('citizenLeftAt', clock.now().toISOString());
  });

  it('after the window it says the visit has ended', async () => {
    clock.set('2026-11-23T09:25:00Z'); // 10:25: the 20-minute visit ended five minutes ago
    const page = await pairedTablet({}, 'Besøget er slut');
    expect(await page.getByRole('button', { name: 'Deltag i besøget' }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'tablet', '05-home-after-visit');
  });
});

describe('a guest joins only with the citizen’s consent', () => {
  it('the tablet asks; yes is recorded with the visit and lets the guest in; no keeps the guest out', async () => {
    clock.set('2026-11-23T06:00:00Z');
    const visit = await book(stack.t, anna, {
      citizenId: karen,
      staffId: 'stf-anna',
      start: '2026-11-23T11:00:00+01:00',
    });
    clock.set('2026-11-23T09:55:00Z');
    expect((await stack.t.call('POST', `/visits/${visit.visitId}/start`, { as: anna })).status).toBe(200);
    const relative = await stack.t.call('POST', `/visits/${visit.visitId}/guests`, {
      as: anna,
      body: { kind: 'relative' },
    });
    expect(relative.body.consent).toBe('pending');
    const refusedBefore = await stack.t.call('POST', `/visits/${visit.visitId}/guests/${relative.body.guestId}/join`, {
      as: anna,
    });
    expect(refusedBefore.status).toBe(409);
    expect(refusedBefore.body.reason).toBe('consent-missing');

    const page = await pairedTablet();
    await page.getByRole('heading', { name: 'Må der komme en gæst med i besøget?' }).waitFor();
    expect(await page.getByText('Medarbejderen vil gerne have en pårørende med i besøget.').isVisible()).toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'tablet', '06-guest-consent');
    await page.getByRole('button', { name: 'Ja, det må gerne' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Dit svar er gemt.');

    const read = await stack.t.call('GET', `/visits/${visit.visitId}`, { as: anna });
    expect(read.body.guests).toEqual([
      expect.objectContaining({
        guestId: relative.body.guestId,
        consent: 'given',
        consentAt: '2026-11-23T09:55:00.000Z',
      }),
    ]);
    const guestJoin = await stack.t.call('POST', `/visits/${visit.visitId}/guests/${relative.body.guestId}/join`, {
      as: anna,
    });
    expect(guestJoin.status).toBe(200);
    expect(guestJoin.body.attendee.JoinToken).toEqual(expect.any(String));

    const professional = await stack.t.call('POST', `/visits/${visit.visitId}/guests`, {
      as: anna,
      body: { kind: 'professional' },
    });
    await page.reload();
    await page.getByText('Medarbejderen vil gerne have en anden fagperson med i besøget.').waitFor();
    await page.getByRole('button', { name: 'Nej tak' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Dit svar er gemt.');
    const refused = await stack.t.call('POST', `/visits/${visit.visitId}/guests/${professional.body.guestId}/join`, {
      as: anna,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('consent-refused');
  });
});

describe('usable at 200% zoom and in English', () => {
  it('at 200% the home screen reflows without sideways scrolling and the join button is still reachable', async () => {
    clock.set('2026-11-23T09:55:00Z');
    // 200% browser zoom of a 1024×768 tablet: half the CSS pixels, each drawn twice as large.
    const page = await pairedTablet({ viewport: { width: 512, height: 384 }, zoom: 2 });
    const join = page.getByRole('button', { name: 'Deltag i besøget' });
    await join.waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await join.scrollIntoViewIfNeeded();
    expect(await join.isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'tablet', '07-home-200-percent');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Join the visit' }).waitFor();
    await expectAccessible(page);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.getByRole('button', { name: 'Join the visit' }).waitFor();

    // The pairing screen at 200% too: the code field and the button fit without sideways scrolling.
    const { page: fresh } = await stack.newPage({ viewport: { width: 512, height: 384 }, zoom: 2 });
    await fresh.goto('/tablet');
    await fresh.getByRole('button', { name: 'Forbind' }).waitFor();
    expect(await fresh.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expectAccessible(fresh);
    await screenshot(fresh, 'tablet', '08-pairing-200-percent');
  });
});
