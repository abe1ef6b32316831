import { Duration } from 'luxon';
import { SendTextMessageCommand, type PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import webpush from 'web-push';
import { logger } from '#shared/platform/logger.ts';
import type {
  AlarmTopic,
  DeliveryResult,
  Notifier,
  OutgoingMessage,
  PushMessage,
  SmsMessage,
} from './local-notifier.ts';

/** A page older than an hour is worth less than the SMS the chain sends next: the push service may drop it. */
const PUSH_TTL = Duration.fromObject({ hours: 1 });

/** Sends one push; the web-push package signs it with the VAPID key and encrypts the payload. */
export type PushSend = typeof webpush.sendNotification;

export interface AwsNotifierOptions {
  readonly vapid: { readonly subject: string; readonly publicKey: string; readonly privateKey: string } | undefined;
  readonly smsOrigination: string | undefined;
}

/**
 * Web push through the browser's push service (VAPID), SMS through AWS End User Messaging SMS
 * (`SendTextMessage`, transactional). A failure is an outcome, not an exception: the escalation
 * records it and moves on to the next step.
 */
export class AwsNotifier implements Notifier {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly options: AwsNotifierOptions,
    private readonly pushSend: PushSend = webpush.sendNotification.bind(webpush),
  ) {}

  send(message: OutgoingMessage): Promise<DeliveryResult> {
    return message.channel === 'push' ? this.push(message) : this.text(message);
  }

  private async push(message: PushMessage): Promise<DeliveryResult> {
    if (!this.options.vapid) return { outcome: 'failed', detail: 'VAPID keys are not configured' };
    try {
      const result = await this.pushSend(
        { endpoint: message.subscription.endpoint, keys: { ...message.subscription.keys } },
        JSON.stringify({ title: message.title, body: message.body, url: message.url, tag: message.tag }),
        { vapidDetails: this.options.vapid, TTL: PUSH_TTL.as('seconds'), urgency: 'high' },
      );
      return { outcome: 'sent', detail: `push ${result.statusCode}` };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) return { outcome: 'gone', detail: `push service answered ${status}` };
      logger.warn('push not delivered', { status, errorName: (error as Error).name });
      return { outcome: 'failed', detail: status ? `push service answered ${status}` : (error as Error).name };
    }
  }

  private async text(message: SmsMessage): Promise<DeliveryResult> {
    if (!this.options.smsOrigination)
      return { outcome: 'failed', detail: 'SMS_ORIGINATION_IDENTITY is not configured' };
    try {
      const result = await this.sms.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: message.phone,
          OriginationIdentity: this.options.smsOrigination,
          MessageBody: message.body,
          MessageType: 'TRANSACTIONAL',
        }),
      );
      return { outcome: 'sent', detail: result.MessageId ?? 'sent' };
    } catch (error) {
      logger.warn('sms not delivered', { errorName: (error as Error).name });
      return { outcome: 'failed', detail: (error as Error).name };
    }
  }
}

/** The stack's CloudWatch alarm topic (SNS). */
export class SnsAlarmTopic implements AlarmTopic {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(subject: string, message: string): Promise<void> {
    await this.client.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: subject.slice(0, 100), Message: message }),
    );
  }
}
