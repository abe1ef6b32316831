import type { ApiClient } from './api.ts';

/**
 * Web push for a page (console or tablet): its service worker (`/<page>/sw.js`, scope `/<page>/`)
 * shows what the API pushes. Subscribing needs a user gesture for the permission prompt, so a
 * page calls `enablePush` from a button. The subscription is the browser's own
 * (`PushManager.subscribe`, with the API's VAPID key); the API keeps it per device
 * (`POST /me/push-subscriptions`) and forgets it on `disablePush`.
 */
export interface PushSettings {
  /** The page's folder: `console` or `tablet`. */
  page: 'console' | 'tablet';
  locale: 'da' | 'en';
  /** What staff see in the list of devices. */
  device: string;
}

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

const idKey = (page: string) => `e-team.${page}.push-subscription`;

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The page's service worker, registered once (the browser keeps it across visits). */
export function registerWorker(page: PushSettings['page']): Promise<ServiceWorkerRegistration> {
  return navigator.serviceWorker.register(`/${page}/sw.js`, { scope: `/${page}/` });
}

/**
 * Subscribing needs an active worker. Not `navigator.serviceWorker.ready`: it waits for a worker
 * controlling this page, and `/tablet` (as the QR code opens it) is outside the scope `/tablet/`.
 */
async function activated(registration: ServiceWorkerRegistration): Promise<ServiceWorkerRegistration> {
  const worker = registration.installing ?? registration.waiting;
  if (registration.active || !worker) return registration;
  await new Promise<void>((resolve) => {
    const check = () => {
      if (worker.state === 'activated') resolve();
    };
    worker.addEventListener('statechange', check);
    check();
  });
  return registration;
}

export async function pushState(page: PushSettings['page']): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration(`/${page}/`);
  const subscription = await registration?.pushManager.getSubscription();
  return subscription && localStorage.getItem(idKey(page)) ? 'on' : 'off';
}

function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = (value + '='.repeat((4 - (value.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Asks for permission, subscribes this browser and registers it with the API. */
export async function enablePush(api: ApiClient, settings: PushSettings): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const registration = await activated(await registerWorker(settings.page));
  const { publicKey } = await api.request<{ publicKey: string }>('GET', '/notifications/vapid-public-key');
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlToBytes(publicKey),
    }));
  await savePushSubscription(api, subscription.toJSON(), settings);
  return 'on';
}

/** Registers a browser subscription (the `PushSubscription.toJSON()` shape) with the API. */
export async function savePushSubscription(
  api: ApiClient,
  subscription: PushSubscriptionJSON,
  settings: PushSettings,
): Promise<string> {
  const saved = await api.request<{ subscriptionId: string }>('POST', '/me/push-subscriptions', {
    endpoint: subscription.endpoint,
    keys: { p256dh: subscription.keys?.p256dh ?? '', auth: subscription.keys?.auth ?? '' },
    locale: settings.locale,
    device: settings.device,
  });
  localStorage.setItem(idKey(settings.page), saved.subscriptionId);
  return saved.subscriptionId;
}

/** Forgets this device at the API and unsubscribes the browser (sign-out, or the button again). */
export async function disablePush(api: ApiClient, page: PushSettings['page']): Promise<PushState> {
  const id = localStorage.getItem(idKey(page));
  localStorage.removeItem(idKey(page));
  if (id) await api.request('DELETE', `/me/push-subscriptions/${id}`).catch(() => undefined);
  if (!pushSupported()) return 'unsupported';
  const registration = await navigator.serviceWorker.getRegistration(`/${page}/`);
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  return 'off';
}
