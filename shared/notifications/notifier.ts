/**
 * Messages leave the service through one interface, whatever the channel: web push to a browser
 * (the staff console, the citizen's tablet) and SMS. On AWS `AwsNotifier` (web-push with VAPID,
 * AWS End User Messaging SMS); locally `LocalNotifier`, which sends nothing and keeps every
 * message in an outbox. Bodies carry a reference and a link, never health details.
 */
export interface PushSubscriptionKeys {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface PushMessage {
  readonly channel: 'push';
  /** Who it is for (staff id or citizen id) and which of their devices. */
  readonly recipient: string;
  readonly subscriptionId: string;
  readonly subscription: PushSubscriptionKeys;
  readonly title: string;
  readonly body: string;
  /** Opens the console (or the tablet) at this address. */
  readonly url: string;
  /** Replaces an earlier notification with the same tag on the device. */
  readonly tag: string;
}

export interface SmsMessage {
  readonly channel: 'sms';
  readonly recipient: string;
  /** E.164. */
  readonly phone: string;
  readonly body: string;
}

export type OutgoingMessage = PushMessage | SmsMessage;

/** `gone`: the push service says the subscription no longer exists (404/410); it should be removed. */
export type DeliveryOutcome = 'sent' | 'gone' | 'failed';

export interface DeliveryResult {
  readonly outcome: DeliveryOutcome;
  /** The provider's message id, or why it failed (never the body). */
  readonly detail?: string;
}

export interface Notifier {
  send(message: OutgoingMessage): Promise<DeliveryResult>;
}

/** The team alarm of an alert nobody acknowledged: the CloudWatch alarm topic on AWS. */
export interface AlarmTopic {
  publish(subject: string, message: string): Promise<void>;
}

export interface OutboxEntry {
  readonly at: string;
  readonly channel: OutgoingMessage['channel'];
  readonly recipient: string;
  readonly to: string;
  readonly title?: string;
  readonly body: string;
  readonly url?: string;
  readonly outcome: DeliveryOutcome;
}

/**
 * LOCAL ONLY: sends nothing; every message lands in `outbox` (readable at
 * `GET /notifications/outbox` under `npm start`). Test seam: `goneEndpoints` answers `gone` for
 * those push endpoints, as a push service does for an unsubscribed browser.
 */
export class LocalNotifier implements Notifier {
  readonly outbox: OutboxEntry[] = [];
  readonly goneEndpoints = new Set<string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    const outcome: DeliveryOutcome =
      message.channel === 'push' && this.goneEndpoints.has(message.subscription.endpoint) ? 'gone' : 'sent';
    this.outbox.push({
      at: this.now().toISOString(),
      channel: message.channel,
      recipient: message.recipient,
      to: message.channel === 'push' ? message.subscriptionId : message.phone,
      ...(message.channel === 'push' ? { title: message.title, url: message.url } : {}),
      body: message.body,
      outcome,
    });
    return { outcome, detail: outcome === 'gone' ? 'push service answered 410' : `local-${this.outbox.length}` };
  }

  to(recipient: string): OutboxEntry[] {
    return this.outbox.filter((m) => m.recipient === recipient);
  }
}

/** LOCAL ONLY: the alarm topic's messages, kept in memory. */
export class LocalAlarmTopic implements AlarmTopic {
  readonly published: { subject: string; message: string }[] = [];
  async publish(subject: string, message: string): Promise<void> {
    this.published.push({ subject, message });
  }
}
