/**
 * The service worker of a page (`/console/sw.js`, `/tablet/sw.js`): shows the notification the
 * API pushes (`{ title, body, url, tag }`: a reference and a link, never health details) and, on
 * a click, focuses a window of the page already open at that link or opens one. The DOM library
 * has no service-worker globals, so the few used here are declared as they are.
 */
interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag?: string;
}
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
}
interface WorkerScope {
  readonly registration: ServiceWorkerRegistration;
  readonly location: Location;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

/** A payload from our API, or a plain text push (still shown, linking to the page). */
export function payloadOf(data: PushEvent['data'], fallbackUrl: string): PushPayload {
  if (!data) return { title: 'E-team', body: '', url: fallbackUrl };
  try {
    const parsed = data.json() as Partial<PushPayload>;
    return {
      title: typeof parsed.title === 'string' ? parsed.title : 'E-team',
      body: typeof parsed.body === 'string' ? parsed.body : '',
      url: typeof parsed.url === 'string' ? parsed.url : fallbackUrl,
      ...(typeof parsed.tag === 'string' ? { tag: parsed.tag } : {}),
    };
  } catch {
    return { title: 'E-team', body: data.text(), url: fallbackUrl };
  }
}

async function openOrFocus(url: string): Promise<void> {
  const target = new URL(url, scope.location.origin).href;
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((w) => w.url === target);
  if (same) {
    await same.focus();
    return;
  }
  const page = windows.find((w) => w.url.startsWith(scope.registration.scope));
  if (page) {
    await (await page.navigate(target))?.focus();
    return;
  }
  await scope.clients.openWindow(target);
}

scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

scope.addEventListener('push', (event) => {
  const payload = payloadOf(event.data, scope.registration.scope);
  event.waitUntil(
    scope.registration.showNotification(payload.title, {
      body: payload.body,
      data: { url: payload.url },
      ...(payload.tag ? { tag: payload.tag } : {}),
    }),
  );
});

scope.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: unknown } | null)?.url;
  event.waitUntil(openOrFocus(typeof url === 'string' ? url : scope.registration.scope));
});
