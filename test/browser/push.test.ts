import type { BrowserContext, Page } from 'playwright-core';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '#shared/alerts/alerts.ts';
import type { LocalNotifier } from '#shared/notifications/local-notifier.ts';
import { newCitizen, registerStaff } from '../visits/visit-helpers.ts';
import { startWebStack, type WebStack } from './support.ts';

/**
 * Web push from the web clients, in Chromium: the console's "Notify me on this device" and the
 * tablet's reminders button register the page's service worker, ask for permission, fetch the
 * VAPID key, subscribe and register the subscription with the API; the service worker shows a
 * pushed payload; the link of an alert's push opens the console at that alert.
 *
 * What headless Chromium cannot do here: reach a push service. A browser context of playwright is
 * incognito (Chrome refuses the Push API there) and a persistent profile's `PushManager.subscribe`
 * waits forever for Google's push service, which this machine cannot reach. So the browser's
 * PushManager is replaced by a recorder (`fakePushService`) that checks what our code passes it
 * (userVisibleOnly, the API's VAPID key) and answers with a subscription of the same shape; every
 * other step is the real page, the real service worker and the real API. The push event is
 * delivered to the real service worker through the DevTools protocol
 * (`ServiceWorker.deliverPushMessage`), which is how Chrome's own push tests do it. Clicking the
 * shown notification is not exercised (headless Chromium shows no notification UI to click).
 */
/** The machine is shared: the browser's round trips get time. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

const vapid = webpush.generateVAPIDKeys();
let stack: WebStack;
let anna: string;
let lead: string;

beforeAll(async () => {
  stack = await startWebStack({ config: { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey } });
  await registerStaff(stack.t, 'east', 'stf-anna', 'lead-lis');
  anna = await stack.staffToken('stf-anna');
  lead = await stack.staffToken('lead-lis', 'lead');
});
afterAll(async () => stack?.close());

/**
 * Stands in for the browser's push service (see above): records the subscribe call, answers with a
 * subscription of Chrome's shape. Runs in the page, so it is the page's JavaScript as text.
 */
const FAKE_PUSH_SERVICE = `(() => {
  window.pushCalls = [];
  window.pushUnsubscribed = 0;
  let current = null;
  const toBase64Url = (key) => {
    const bytes = key instanceof ArrayBuffer ? new Uint8Array(key) : new Uint8Array(key.buffer);
    return btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  };
  PushManager.prototype.subscribe = async function (options) {
    const key = options && options.applicationServerKey;
    window.pushCalls.push({
      userVisibleOnly: options && options.userVisibleOnly,
      applicationServerKey: key && typeof key !== 'string' ? toBase64Url(key) : key,
    });
    const json = {
      endpoint: 'https://push.example.org/send/' + crypto.randomUUID(),
      expirationTime: null,
      keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u', auth: 'tBHItJI5svbpez7KI4CCXg' },
    };
    current = {
      endpoint: json.endpoint,
      toJSON: () => json,
      unsubscribe: async () => { window.pushUnsubscribed += 1; current = null; return true; },
    };
    return current;
  };
  PushManager.prototype.getSubscription = async () => current;
})();`;

async function browserFor(): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await stack.newPage();
  await opened.context.grantPermissions(['notifications']);
  await opened.context.addInitScript({ content: FAKE_PUSH_SERVICE });
  return opened;
}

async function signIn(page: Page, token: string, hash = '#/day'): Promise<void> {
  await page.goto(`/console/${hash}`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.locator('nav').getByRole('link', { name: 'Min dag' }).waitFor();
}

const subscriptionsOf = async (token: string) =>
  (await stack.t.call('GET', '/me/push-subscriptions', { as: token })).body.items as any[];

/** The page's service worker as DevTools sees it, and a push delivered to it. */
async function pushTo(context: BrowserContext, page: Page, scope: string, payload: unknown): Promise<void> {
  const cdp = await context.newCDPSession(page);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (event: any) => {
    for (const r of event.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await poll(() => registrations.get(`${stack.url}${scope}`)).toBeDefined();
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: stack.url,
    registrationId: registrations.get(`${stack.url}${scope}`) ?? '',
    data: JSON.stringify(payload),
  });
}

/** The notifications the page's service worker is showing (title, body, tag, and the url it opens). */
const notificationsShown = (page: Page, scope: string) =>
  page.evaluate(`(async () => {
    const registration = await navigator.serviceWorker.getRegistration(${JSON.stringify(scope)});
    const shown = registration ? await registration.getNotifications() : [];
    return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }));
  })()`);

describe('the console: notify me on this device', () => {
  it('opting in registers the service worker and this browser’s subscription; opting out removes it', async () => {
    const { page } = await browserFor();
    await signIn(page, anna);
    const toggle = page.getByTestId('push-toggle');
    expect(await toggle.textContent()).toBe('Giv mig besked på denne enhed');
    const keyAsked = page.waitForResponse((r) => r.url().endsWith('/notifications/vapid-public-key'));
    await toggle.click();
    expect((await keyAsked).status()).toBe(200);
    await poll(() => page.getByTestId('push-status').textContent()).toContain('Du får nu besked');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');

    // The page's own service worker, scoped to the console, controls it.
    expect(
      await page.evaluate(`(async () => {
        const registration = await navigator.serviceWorker.getRegistration('/console/');
        return { scope: registration.scope, script: registration.active.scriptURL };
      })()`),
    ).toEqual({ scope: `${stack.url}/console/`, script: `${stack.url}/console/sw.js` });
    expect(await page.evaluate('window.pushCalls')).toEqual([
      { userVisibleOnly: true, applicationServerKey: vapid.publicKey },
    ]);
    const [subscription] = await subscriptionsOf(anna);
    expect(subscription).toMatchObject({
      endpoint: expect.stringMatching(/^https:\/\/push\.example\.org\/send\//),
      locale: 'da',
      device: expect.stringMatching(/^console/),
    });

    await toggle.click();
    await poll(() => subscriptionsOf(anna)).toEqual([]);
    expect(await page.evaluate('window.pushUnsubscribed')).toBe(1);
    expect(await toggle.textContent()).toBe('Giv mig besked på denne enhed');
  });

  it('the service worker shows a pushed alert: a reference and a link, as the API sends it', async () => {
    const { context, page } = await browserFor();
    await signIn(page, anna);
    await page.getByTestId('push-toggle').click();
    await poll(() => subscriptionsOf(anna).then((s) => s.length)).toBe(1);
    const payload = {
      title: 'E-team: alarm A1B2C3',
      body: 'Klinisk alarm. Åbn konsollen.',
      url: `${stack.url}/console/#/alerts/alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B2`,
      tag: 'alert-alr_01KAQ3Z4B6N8P0R2T4V6X8Z0B2',
    };
    await pushTo(context, page, '/console/', payload);
    await poll(() => notificationsShown(page, '/console/')).toEqual([payload]);
    // Signing out forgets the device at the API.
    await page.getByRole('button', { name: 'Log ud' }).click();
    await poll(() => subscriptionsOf(anna)).toEqual([]);
  });

  it('the link of an alert’s push opens the console at that alert and acknowledges it', async () => {
    const citizenId = await newCitizen(stack.t, await stack.staffToken('asr-east', 'assessor'));
    const roster = await stack.t.call('PUT', '/teams/east/duty-roster', {
      as: lead,
      body: {
        entries: [
          {
            staffId: 'stf-anna',
            duty: 'on-duty',
            weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
          },
        ],
      },
    });
    expect(roster.status, roster.text).toBe(200);
    const res = await stack.t.call('POST', '/me/push-subscriptions', {
      as: anna,
      body: { endpoint: 'https://push.example.org/send/anna-phone', keys: { p256dh: 'p', auth: 'a' }, locale: 'da' },
    });
    expect(res.status).toBe(201);
    const { alertId } = await raiseAlert(stack.t.deps, {
      kind: 'missed_dose',
      team: 'east',
      citizenId,
      dedupKey: `missed_dose#${citizenId}#2026-11-23T19:00:00Z`,
      summary: 'Dose at 20:00 not taken',
      occurredAt: new Date(),
    });
    await stack.t.drain();
    const notifier = stack.t.deps.notifier as LocalNotifier;
    const pushed = notifier.to('stf-anna').find((m) => m.channel === 'push' && m.url?.includes(alertId ?? '-'));
    expect(pushed?.url).toMatch(new RegExp(`/console/\\?ack=[^#]+#/alerts/${alertId}$`));

    const { page } = await browserFor();
    await signIn(page, anna);
    await page.goto(
      new URL(pushed?.url ?? '').pathname + new URL(pushed?.url ?? '').search + new URL(pushed?.url ?? '').hash,
    );
    const linked = page.getByTestId('linked-alert');
    await linked.getByText('Dose at 20:00 not taken').waitFor();
    expect(await page.getByTestId('alerts-status').textContent()).toBe('Alarmen er kvitteret fra linket.');
    expect(await linked.locator('.deliveries li').count()).toBeGreaterThan(0);
    expect(page.url()).not.toContain('ack=');
    const alert = await stack.t.call('GET', `/alerts/${alertId}`, { as: anna });
    expect(alert.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'stf-anna' });
  });
});

describe('the tablet: reminders by push', () => {
  it('after pairing, the reminders button subscribes the tablet for its citizen', async () => {
    const citizenId = await newCitizen(stack.t, await stack.staffToken('asr-east', 'assessor'), 'Karen');
    const pairing = await stack.t.call('POST', `/citizens/${citizenId}/tablet-pairings`, { as: anna });
    const { context, page } = await browserFor();
    await page.goto('/tablet');
    await page.getByLabel('Kode').fill(pairing.body.code);
    await page.getByRole('button', { name: 'Forbind' }).click();
    const button = page.getByTestId('reminders');
    await button.waitFor();
    expect(await button.textContent()).toBe('Få en besked før hvert besøg');
    await button.click();
    await page.getByText('Tabletten giver dig en besked før hvert besøg.').waitFor();

    const tabletToken = await page.evaluate<string | null>(`localStorage.getItem('e-team.tablet.token')`);
    const subscriptions = (await stack.t.call('GET', '/me/push-subscriptions', { as: tabletToken ?? '' })).body.items;
    expect(subscriptions).toEqual([expect.objectContaining({ device: 'tablet', locale: 'da' })]);
    expect(await page.evaluate('window.pushCalls')).toEqual([
      { userVisibleOnly: true, applicationServerKey: vapid.publicKey },
    ]);

    const reminder = {
      title: 'Skærmbesøg',
      body: 'Anna ringer kl. 10:30',
      url: `${stack.url}/tablet/`,
      tag: 'visit-x',
    };
    await pushTo(context, page, '/tablet/', reminder);
    await poll(() => notificationsShown(page, '/tablet/')).toEqual([reminder]);

    await page.getByRole('button', { name: 'Stop beskederne' }).click();
    await expect
      .poll(async () => (await stack.t.call('GET', '/me/push-subscriptions', { as: tabletToken ?? '' })).body.items)
      .toEqual([]);
  });
});
