import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './event-bus.ts';
import type { Scheduler } from './scheduler.ts';
import type { Secrets } from './secrets.ts';
import type { Table } from '#shared/table/store.ts';
import type { VideoMeetings } from './meetings.ts';
import type { AlarmTopic, Notifier } from '#shared/platform/notifier.ts';

/**
 * What the domain needs from the outside world. Lambda entry points build the AWS versions once
 * per container (`shared/app/aws-deps.ts`); `npm start` and the tests build local ones
 * (`shared/app/local-deps.ts`).
 */
export interface Deps {
  readonly config: Config;
  readonly table: Table;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly scheduler: Scheduler;
  readonly meetings: VideoMeetings;
  /** The stage's secrets (pepper, cursor key), read at run time. */
  readonly secrets: Secrets;
  /** Web push and SMS (shared/platform/notifier.ts). */
  readonly notifier: Notifier;
  /** The team alarm of an unacknowledged escalation chain. */
  readonly alarms: AlarmTopic;
}
