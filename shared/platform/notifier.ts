/**
 * Messages leave the service through one interface, whatever the channel: web push to a browser
 * (the staff console, the citizen's tablet) and SMS. The port, as VideoMeetings and Scheduler are. On AWS `AwsNotifier` (web-push with VAPID,
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
