import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { AwsNotifier, SnsAlarmTopic, type PushSend } from '#shared/notifications/aws-notifier.ts';
import type { PushMessage } from '#shared/notifications/local-notifier.ts';

const vapid = webpush.generateVAPIDKeys();
const options = {
  vapid: { subject: 'mailto:it@example.org', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
  smsOrigination: '+4580808080',
};

/** A browser's real subscription keys (P-256 ECDH public key and 16-byte auth secret). */
async function browserKeys() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const raw = Buffer.from(await crypto.subtle.exportKey('raw', pair.publicKey));
  return {
    p256dh: raw.toString('base64url'),
    auth: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'),
  };
}

const push = async (endpoint = 'https://fcm.googleapis.com/fcm/send/abc'): Promise<PushMessage> => ({
  channel: 'push',
  recipient: 'stf-anna',
  subscriptionId: 'psh_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
  subscription: { endpoint, keys: await browserKeys() },
  title: 'E-team alert 4P6R8',
  body: 'A clinical alert is waiting to be acknowledged.',
  url: 'https://console.example.org/console/?ack=t#/alerts/alr_x',
  tag: 'alert-alr_x',
});

describe('SMS through AWS End User Messaging SMS', () => {
  it('sends a transactional SendTextMessage from the origination identity', async () => {
    const sms = mockClient(PinpointSMSVoiceV2Client);
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'msg-1' });
    const notifier = new AwsNotifier(new PinpointSMSVoiceV2Client({ region: 'eu-north-1' }), options);
    const result = await notifier.send({
      channel: 'sms',
      recipient: 'stf-sam',
      phone: '+4522334455',
      body: 'E-team: alarm 4P6R8 awaits acknowledgement: https://x',
    });
    expect(result).toEqual({ outcome: 'sent', detail: 'msg-1' });
    expect(sms.commandCalls(SendTextMessageCommand)[0]?.args[0].input).toEqual({
      DestinationPhoneNumber: '+4522334455',
      OriginationIdentity: '+4580808080',
      MessageBody: 'E-team: alarm 4P6R8 awaits acknowledgement: https://x',
      MessageType: 'TRANSACTIONAL',
    });
    sms.restore();
  });

  it('records a refusal as a failed attempt instead of throwing', async () => {
    const sms = mockClient(PinpointSMSVoiceV2Client);
    sms.on(SendTextMessageCommand).rejects(Object.assign(new Error('opted out'), { name: 'ValidationException' }));
    const notifier = new AwsNotifier(new PinpointSMSVoiceV2Client({ region: 'eu-north-1' }), options);
    expect(await notifier.send({ channel: 'sms', recipient: 'stf-sam', phone: '+4522334455', body: 'x' })).toEqual({
      outcome: 'failed',
      detail: 'ValidationException',
    });
    sms.restore();
  });
});

describe('web push with VAPID', () => {
  it('signs with the VAPID key and encrypts for the browser’s keys (aes128gcm), without sending anything here', async () => {
    const message = await push();
    const details = webpush.generateRequestDetails(message.subscription, JSON.stringify({ title: message.title }), {
      vapidDetails: options.vapid,
      TTL: 3600,
    });
    expect(details.endpoint).toBe(message.subscription.endpoint);
    expect(String(details.headers.Authorization)).toMatch(/^vapid t=.+, k=/);
    expect(details.headers['Content-Encoding']).toBe('aes128gcm');
  });

  it('is sent with the VAPID details; 410 or 404 from the push service means the subscription is gone', async () => {
    const calls: unknown[][] = [];
    let answer: 'ok' | 410 | 404 | 500 = 'ok';
    const fake = (async (...args: unknown[]) => {
      calls.push(args);
      if (answer === 'ok') return { statusCode: 201, body: '', headers: {} };
      throw Object.assign(new Error('push failed'), { statusCode: answer });
    }) as unknown as PushSend;
    const notifier = new AwsNotifier(new PinpointSMSVoiceV2Client({ region: 'eu-north-1' }), options, fake);
    expect(await notifier.send(await push())).toEqual({ outcome: 'sent', detail: 'push 201' });
    expect(calls[0]?.[2]).toMatchObject({ vapidDetails: options.vapid, TTL: 3600 });
    expect(JSON.parse(String(calls[0]?.[1]))).toEqual({
      title: 'E-team alert 4P6R8',
      body: 'A clinical alert is waiting to be acknowledged.',
      url: 'https://console.example.org/console/?ack=t#/alerts/alr_x',
      tag: 'alert-alr_x',
    });
    answer = 410;
    expect((await notifier.send(await push())).outcome).toBe('gone');
    answer = 404;
    expect((await notifier.send(await push())).outcome).toBe('gone');
    answer = 500;
    expect((await notifier.send(await push())).outcome).toBe('failed');
  });

  it('fails (recorded) rather than sends unsigned when no VAPID keys are configured', async () => {
    const notifier = new AwsNotifier(new PinpointSMSVoiceV2Client({ region: 'eu-north-1' }), {
      vapid: undefined,
      smsOrigination: undefined,
    });
    expect((await notifier.send(await push())).outcome).toBe('failed');
    expect((await notifier.send({ channel: 'sms', recipient: 'x', phone: '+4522334455', body: 'x' })).outcome).toBe(
      'failed',
    );
  });
});

describe('the team alarm', () => {
  it('is published to the CloudWatch alarm topic', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await new SnsAlarmTopic(
      new SNSClient({ region: 'eu-north-1' }),
      'arn:aws:sns:eu-north-1:111122223333:e-team-dev-demo-alarms',
    ).publish('E-team east: alert 4P6R8 unacknowledged', 'Open https://x');
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: 'arn:aws:sns:eu-north-1:111122223333:e-team-dev-demo-alarms',
      Subject: 'E-team east: alert 4P6R8 unacknowledged',
      Message: 'Open https://x',
    });
    sns.restore();
  });
});
