/** The local stand-ins of the notification port (shared/platform/notifier.ts), which this module re-exports. */
import type {
  AlarmTopic,
  DeliveryOutcome,
  DeliveryResult,
  Notifier,
  OutboxEntry,
  OutgoingMessage,
} from '#shared/platform/notifier.ts';

export type {
  PushSubscriptionKeys,
  PushMessage,
  SmsMessage,
  OutgoingMessage,
  DeliveryOutcome,
  DeliveryResult,
  Notifier,
  AlarmTopic,
  OutboxEntry,
} from '#shared/platform/notifier.ts';

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
