import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from '#shared/platform/zod.ts';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { AwsNotifier, SnsAlarmTopic } from '#shared/notifications/aws-notifier.ts';
import { consumeForNotifier, runNotifierJob } from '#shared/notifications/registry.ts';
import { createAwsDeps } from '#shared/app/aws-deps.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { SECRET_MAX_AGE_SECONDS, secretsManagerSource } from '#shared/platform/secrets.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * The notifier function: the only one allowed to send web pushes and SMS and to publish the team
 * alarm. It is the target of its own EventBridge rules (alert, reminder and visit events on the
 * service's bus; Chime meeting events on the default bus) and of the escalation steps' one-time
 * schedules, which it creates itself (its SCHEDULER_TARGET_ARN is its own ARN).
 */
const eventBridgeEvent = z.object({
  id: z.string(),
  'detail-type': z.string(),
  time: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
const jobInvocation = z.object({
  job: z.string().min(1).max(64),
  payload: z.record(z.string(), z.unknown()).default({}),
});

const config = loadConfig();
const sms = new PinpointSMSVoiceV2Client({ region: config.AWS_REGION });
const source = secretsManagerSource(config.AWS_REGION);
/**
 * The VAPID private key is read at run time from its secret (cached per container like the app
 * secret), never from the environment; without a public key or the secret, pushes fail and are
 * recorded as failed.
 */
async function vapidDetails() {
  if (!config.VAPID_PUBLIC_KEY || !config.VAPID_PRIVATE_KEY_SECRET_ARN) return undefined;
  const privateKey = await (
    await source()
  ).get(config.VAPID_PRIVATE_KEY_SECRET_ARN, { maxAge: SECRET_MAX_AGE_SECONDS });
  return typeof privateKey === 'string' && privateKey.length > 0
    ? { subject: config.VAPID_SUBJECT, publicKey: config.VAPID_PUBLIC_KEY, privateKey }
    : undefined;
}
const deps = createAwsDeps(config, {
  notifier: {
    send: async (message) =>
      new AwsNotifier(sms, { vapid: await vapidDetails(), smsOrigination: config.SMS_ORIGINATION_IDENTITY }).send(
        message,
      ),
  },
  alarms: {
    publish: (subject, message) => {
      if (!config.ALARM_TOPIC_ARN)
        return Promise.reject(new Error('ALARM_TOPIC_ARN is required to raise a team alarm'));
      return new SnsAlarmTopic(new SNSClient({ region: config.AWS_REGION }), config.ALARM_TOPIC_ARN).publish(
        subject,
        message,
      );
    },
  },
});

export const handler = middy(async (event: unknown) => {
  const job = jobInvocation.safeParse(event);
  if (job.success) {
    const result = await runNotifierJob(deps, job.data.job, job.data.payload);
    logger.info('notifier job finished', { job: job.data.job });
    return result;
  }
  const parsed = eventBridgeEvent.parse(event);
  const { eventId, ...detail } = parsed.detail;
  await consumeForNotifier(deps, {
    id: typeof eventId === 'string' ? eventId : parsed.id,
    type: parsed['detail-type'],
    occurredAt: parsed.time,
    detail,
  });
  logger.info('notifier event consumed', { type: parsed['detail-type'] });
  return undefined;
}).use(injectLambdaContext(logger));
