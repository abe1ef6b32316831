import { ChimeSDKMeetingsClient } from '@aws-sdk/client-chime-sdk-meetings';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ChimeMeetings } from '../visits/chime-meetings.ts';
import { createDocumentClient } from '../table/client.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { EventBridgeBus } from './events.ts';
import { EventBridgeScheduler, type Scheduler } from './scheduler.ts';

/**
 * The deps of a Lambda on AWS. Clients are created lazily, once per container, so a function
 * that never starts a meeting never pays for the Chime client at cold start.
 */
export function createAwsDeps(config: Config): Deps {
  const db = createDocumentClient({ region: config.AWS_REGION });
  let events: EventBridgeBus | undefined;
  let scheduler: Scheduler | undefined;
  let meetings: ChimeMeetings | undefined;
  return {
    config,
    table: { db, name: config.TABLE_NAME },
    clock: systemClock,
    get events() {
      events ??= new EventBridgeBus(new EventBridgeClient({ region: config.AWS_REGION }), config.EVENT_BUS_NAME, `e-team.${config.MUNICIPALITY}`);
      return events;
    },
    get scheduler() {
      if (!scheduler) {
        if (!config.SCHEDULER_TARGET_ARN || !config.SCHEDULER_ROLE_ARN) throw new Error('SCHEDULER_TARGET_ARN and SCHEDULER_ROLE_ARN are required on AWS');
        scheduler = new EventBridgeScheduler(new SchedulerClient({ region: config.AWS_REGION }), {
          groupName: config.SCHEDULE_GROUP_NAME,
          targetArn: config.SCHEDULER_TARGET_ARN,
          roleArn: config.SCHEDULER_ROLE_ARN,
          ...(config.SCHEDULER_DLQ_ARN ? { deadLetterArn: config.SCHEDULER_DLQ_ARN } : {}),
        });
      }
      return scheduler;
    },
    get meetings() {
      meetings ??= new ChimeMeetings(new ChimeSDKMeetingsClient({ region: config.CHIME_CONTROL_REGION }), config.CHIME_MEDIA_REGION);
      return meetings;
    },
  };
}
