import { LocalMeetings } from '../visits/local-meetings.ts';
import { runJob } from '../jobs/all.ts';
import { createDocumentClient, ensureTable } from '../table/client.ts';
import { guardWithStackPolicy } from '../table/iam-guard.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { LocalEventBus } from './events.ts';
import { LocalScheduler } from './scheduler.ts';
import { LocalSecrets } from './secrets.ts';
import { consume, consumers } from '../events/all.ts';
import { LocalAlarmTopic, LocalNotifier } from '../notifications/notifier.ts';
import { consumeForNotifier, notifierConsumers, notifierJobs, runNotifierJob } from '../notifications/registry.ts';
import { domainEvent } from './events.ts';

/** The deps of `npm start` and the integration tests: DynamoDB Local plus in-process stand-ins. */
export interface LocalDeps extends Deps {
  readonly events: LocalEventBus;
  readonly scheduler: LocalScheduler;
  readonly meetings: LocalMeetings;
  readonly notifier: LocalNotifier;
  readonly alarms: LocalAlarmTopic;
}

export async function createLocalDeps(config: Config, options: { clock?: Clock } = {}): Promise<LocalDeps> {
  if (!config.DYNAMODB_ENDPOINT) throw new Error('Local deps need DYNAMODB_ENDPOINT (DynamoDB Local)');
  const db = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  await ensureTable(db, config.TABLE_NAME);
  // What AWS would refuse (the stack's IAM Deny statements) fails here too.
  guardWithStackPolicy(db);
  const clock = options.clock ?? systemClock;
  const deps: LocalDeps = {
    config,
    table: { db, name: config.TABLE_NAME },
    clock,
    events: new LocalEventBus(),
    scheduler: new LocalScheduler(),
    meetings: new LocalMeetings(config.CHIME_MEDIA_REGION),
    secrets: new LocalSecrets(config),
    notifier: new LocalNotifier(() => clock.now()),
    alarms: new LocalAlarmTopic(),
  };
  deps.scheduler.setRunner((job, payload) => (notifierJobs[job] ? runNotifierJob(deps, job, payload) : runJob(deps, job, payload)));
  // Mirrors the EventBridge rule of the stack: every consumed type goes to its consumers.
  for (const type of Object.keys(consumers)) deps.events.subscribe(type, (event) => consume(deps, event));
  // …and the notifier function's rules: alert, reminder and Chime meeting events.
  for (const type of Object.keys(notifierConsumers)) deps.events.subscribe(type, (event) => consumeForNotifier(deps, event));
  deps.meetings.onEvent((event) => deps.events.publish([domainEvent(event['detail-type'], { ...event.detail }, new Date(event.time))]));
  return deps;
}
