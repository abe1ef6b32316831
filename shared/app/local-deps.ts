import { LocalMeetings } from '#shared/visits/local-meetings.ts';
import { runJob } from './job-registry.ts';
import { createDocumentClient, ensureTable } from '#shared/table/client.ts';
import { guardWithStackPolicy } from '#shared/table/iam-guard.ts';
import type { Clock } from '#shared/platform/clock.ts';
import { systemClock } from '#shared/platform/clock.ts';
import type { Config } from '#shared/platform/config.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { LocalEventBus } from '#shared/platform/event-bus.ts';
import { LocalScheduler } from '#shared/platform/scheduler.ts';
import { LocalSecrets } from '#shared/platform/secrets.ts';
import { consume, consumers } from './event-registry.ts';
import { LocalAlarmTopic, LocalNotifier } from '#shared/notifications/local-notifier.ts';
import { consumeForNotifier, notifierConsumers, notifierJobs, runNotifierJob } from '#shared/notifications/registry.ts';
import { LocalStreamPoller } from '#shared/domain-events/local-stream.ts';
import { streamHandlers } from './stream-registry.ts';

/** The deps of `npm start` and the integration tests: DynamoDB Local plus in-process stand-ins. */
export interface LocalDeps extends Deps {
  readonly events: LocalEventBus;
  readonly scheduler: LocalScheduler;
  readonly meetings: LocalMeetings;
  readonly notifier: LocalNotifier;
  readonly alarms: LocalAlarmTopic;
  /** LOCAL ONLY: reads the table's stream and delivers it (the AWS stream Lambda's stand-in). */
  readonly stream: LocalStreamPoller;
  /** Delivers everything committed so far through the stream (tests; `npm start` polls on a timer). */
  drainOutbox(): Promise<{ handled: number; failed: boolean }>;
}

export async function createLocalDeps(config: Config, options: { clock?: Clock } = {}): Promise<LocalDeps> {
  if (!config.DYNAMODB_ENDPOINT) throw new Error('Local deps need DYNAMODB_ENDPOINT (DynamoDB Local)');
  const db = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  await ensureTable(db, config.TABLE_NAME);
  // What AWS would refuse (the stack's IAM Deny statements) fails here too.
  guardWithStackPolicy(db);
  const clock = options.clock ?? systemClock;
  const table = { db, name: config.TABLE_NAME };
  const deps = {
    config,
    table,
    clock,
    events: new LocalEventBus(),
    scheduler: new LocalScheduler(table),
    meetings: new LocalMeetings(config.CHIME_MEDIA_REGION),
    secrets: new LocalSecrets(config),
    notifier: new LocalNotifier(() => clock.now()),
    alarms: new LocalAlarmTopic(),
  } as Omit<LocalDeps, 'stream' | 'drainOutbox'> as LocalDeps;
  const stream = new LocalStreamPoller(deps, config.DYNAMODB_ENDPOINT, streamHandlers);
  Object.assign(deps, { stream, drainOutbox: () => stream.drain() });
  deps.scheduler.setRunner((job, payload) =>
    notifierJobs[job] ? runNotifierJob(deps, job, payload) : runJob(deps, job, payload),
  );
  // Mirrors the EventBridge rule of the stack: every consumed type goes to its consumers.
  for (const type of Object.keys(consumers)) deps.events.subscribe(type, (event) => consume(deps, event));
  // …and the notifier function's rules: alert, reminder and Chime meeting events.
  for (const type of Object.keys(notifierConsumers))
    deps.events.subscribe(type, (event) => consumeForNotifier(deps, event));
  // …and Chime's meeting events, which reach the notifier from the default bus, not through the outbox.
  deps.meetings.onEvent((event) =>
    consumeForNotifier(deps, {
      id: `${event.detail.meetingId}#${event.detail.eventType}#${event.detail.timestamp}`,
      type: event['detail-type'],
      occurredAt: event.time,
      detail: { ...event.detail },
    }),
  );
  return deps;
}
