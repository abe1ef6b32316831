import { lazyDocumentClient } from '#shared/table/lazy-client.ts';
import type { AttendeeInfo, MeetingInfo, VideoMeetings } from '#shared/platform/meetings.ts';
import { systemClock } from '#shared/platform/clock.ts';
import { awsClientRetry } from '#shared/platform/retry.ts';
import type { Config } from '#shared/platform/config.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent, EventBus } from '#shared/platform/event-bus.ts';
import type { OneTimeJob, Scheduler } from '#shared/platform/scheduler.ts';
import { SecretsManagerSecrets, secretsManagerSource, type Secrets } from '#shared/platform/secrets.ts';
import type { AlarmTopic, Notifier } from '#shared/notifications/local-notifier.ts';

/**
 * The deps of a Lambda on AWS. No AWS client is created at import: the DynamoDB, EventBridge,
 * Scheduler and Chime clients (and their SDK packages) are loaded on first use, so a function
 * that never starts a meeting never pays for loading the Chime SDK, and the public function
 * loads no AWS client at all.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

function eventBusOf(config: Config): EventBus {
  const eventBus = once(async () => {
    const [{ EventBridgeClient }, { EventBridgeBus }] = await Promise.all([
      import('@aws-sdk/client-eventbridge'),
      import('#shared/platform/eventbridge-bus.ts'),
    ]);
    return new EventBridgeBus(
      new EventBridgeClient({ region: config.AWS_REGION, ...awsClientRetry }),
      config.EVENT_BUS_NAME,
      `e-team.${config.MUNICIPALITY}`,
    );
  });
  const events: EventBus = { publish: async (list: readonly DomainEvent[]) => (await eventBus()).publish(list) };

  return events;
}

function schedulerOf(config: Config): Scheduler {
  const oneTimeScheduler = once(async () => {
    if (!config.SCHEDULER_TARGET_ARN || !config.SCHEDULER_ROLE_ARN)
      throw new Error('SCHEDULER_TARGET_ARN and SCHEDULER_ROLE_ARN are required on AWS');
    const [{ SchedulerClient }, { EventBridgeScheduler }] = await Promise.all([
      import('@aws-sdk/client-scheduler'),
      import('#shared/platform/eventbridge-scheduler.ts'),
    ]);
    return new EventBridgeScheduler(new SchedulerClient({ region: config.AWS_REGION, ...awsClientRetry }), {
      groupName: config.SCHEDULE_GROUP_NAME,
      targetArn: config.SCHEDULER_TARGET_ARN,
      roleArn: config.SCHEDULER_ROLE_ARN,
      ...(config.SCHEDULER_DLQ_ARN ? { deadLetterArn: config.SCHEDULER_DLQ_ARN } : {}),
    });
  });
  const scheduler: Scheduler = {
    scheduleOnce: async (job: OneTimeJob) => (await oneTimeScheduler()).scheduleOnce(job),
    cancel: async (name: string) => (await oneTimeScheduler()).cancel(name),
  };

  return scheduler;
}

function meetingsOf(config: Config): VideoMeetings {
  const chime = once(async () => {
    const [{ ChimeSDKMeetingsClient }, { ChimeMeetings }] = await Promise.all([
      import('@aws-sdk/client-chime-sdk-meetings'),
      import('#shared/visits/chime-meetings.ts'),
    ]);
    return new ChimeMeetings(
      new ChimeSDKMeetingsClient({ region: config.CHIME_CONTROL_REGION, ...awsClientRetry }),
      config.CHIME_MEDIA_REGION,
    );
  });
  const meetings: VideoMeetings = {
    createMeeting: async (input): Promise<MeetingInfo> => (await chime()).createMeeting(input),
    getMeeting: async (meetingId) => (await chime()).getMeeting(meetingId),
    createAttendee: async (meetingId, externalUserId): Promise<AttendeeInfo> =>
      (await chime()).createAttendee(meetingId, externalUserId),
    deleteMeeting: async (meetingId) => (await chime()).deleteMeeting(meetingId),
  };

  return meetings;
}

export function createAwsDeps(config: Config, overrides: { notifier?: Notifier; alarms?: AlarmTopic } = {}): Deps {
  const db = lazyDocumentClient({ region: config.AWS_REGION });

  const events = eventBusOf(config);
  const scheduler = schedulerOf(config);
  const meetings = meetingsOf(config);

  // loadConfig requires APP_SECRET_ARN on every deployed stage; a function without it that asks for a secret fails loudly.
  const secrets: Secrets = config.APP_SECRET_ARN
    ? new SecretsManagerSecrets(config.APP_SECRET_ARN, secretsManagerSource(config.AWS_REGION))
    : { get: () => Promise.reject(new Error('APP_SECRET_ARN is not set on this function')) };

  // Only the notifier function sends (functions/notifier/notifier.ts passes its own); it alone
  // holds the SMS permission, the VAPID key and the alarm topic, and only its bundle carries web-push.
  const notifier: Notifier = overrides.notifier ?? {
    send: async () => Promise.reject(new Error('Only the notifier function sends pushes and SMS')),
  };
  const alarms: AlarmTopic = overrides.alarms ?? {
    publish: async () => Promise.reject(new Error('Only the notifier function raises the team alarm')),
  };

  return {
    config,
    table: { db, name: config.TABLE_NAME },
    clock: systemClock,
    events,
    scheduler,
    meetings,
    secrets,
    notifier,
    alarms,
  };
}
