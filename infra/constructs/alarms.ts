import { Duration, type Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { functionAccess } from '../access.ts';
import { lambdaFunctions } from '../bundling.ts';
import type { DeploymentContext } from '../context.ts';
import type { OutboxRelay } from '../outbox.ts';
import type { Functions } from './functions.ts';
import type { Messaging } from './messaging.ts';

/** The API's p99 latency that, held for 15 minutes, raises an alarm (the functions' timeouts are 10–25 s). */
export const API_P99_LATENCY_MS = 2_000;

/** Creates an alarm in the stack that notifies every alarm target. */
export type AlarmFactory = (
  id: string,
  metric: IMetric,
  description: string,
  threshold?: number,
  evaluationPeriods?: number,
) => Alarm;

export interface Alarms {
  readonly topic: Topic;
  readonly alarm: AlarmFactory;
}

const fiveMinutes = { period: Duration.minutes(5) };

/**
 * The encrypted alarm topic (e-mailed to `alarmEmail`) and, when given, the operators' own topic:
 * every alarm notifies both (context.ts refuses a stage other than dev with neither target).
 */
export function addAlarmTopic(stack: Stack, prefix: string, deployment: DeploymentContext, key: Key): Alarms {
  const topic = new Topic(stack, 'Alarms', { topicName: `${prefix}-alarms`, masterKey: key, enforceSSL: true });
  if (deployment.alarmEmail) topic.addSubscription(new EmailSubscription(deployment.alarmEmail));
  const actions = [
    new SnsAction(topic),
    ...(deployment.alarmTopicArn
      ? [new SnsAction(Topic.fromTopicArn(stack, 'OperatorsAlarmTopic', deployment.alarmTopicArn))]
      : []),
  ];
  const alarm: AlarmFactory = (id, metric, description, threshold = 1, evaluationPeriods = 1) => {
    const created = new Alarm(stack, id, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    created.addAlarmAction(...actions);
    return created;
  };
  return { topic, alarm };
}

/** Dead letters waiting, and jobs Scheduler lost before they reached the job runner's retries. */
export function alarmOnMessaging(alarm: AlarmFactory, messaging: Messaging, outbox: OutboxRelay): void {
  const waiting = (queue: Messaging['jobDeadLetters']) => queue.metricApproximateNumberOfMessagesVisible(fiveMinutes);
  alarm(
    'JobDeadLettersAlarm',
    waiting(messaging.jobDeadLetters),
    'A job run failed for good; see the job dead-letter queue.',
  );
  alarm(
    'EventDeadLettersAlarm',
    waiting(messaging.eventDeadLetters),
    'A domain event was not consumed; see the event dead-letter queue.',
  );
  alarm(
    'OneTimeJobDeadLettersAlarm',
    waiting(messaging.oneTimeJobDeadLetters),
    'A one-time job (visit reminder, no-show check) was not delivered; see the one-time job dead-letter queue.',
  );
  alarm(
    'OutboxDeadLettersAlarm',
    waiting(outbox.deadLetters),
    'Stream records (domain events, device events) were not delivered for 24 hours; see the outbox dead-letter queue.',
  );
  // Lost before the runner: Scheduler dropped them or could not even write them to the dead-letter
  // queue. (Failures after that are the runner's Errors alarm and the job dead-letter queue.)
  for (const metricName of ['InvocationDroppedCount', 'InvocationsFailedToBeSentToDeadLetterCount']) {
    alarm(
      `Scheduler${metricName}Alarm`,
      new Metric({
        namespace: 'AWS/Scheduler',
        metricName,
        dimensionsMap: { ScheduleGroup: messaging.scheduleGroup.scheduleGroupName },
        statistic: 'Sum',
        ...fiveMinutes,
      }),
      `A scheduled job was lost (${metricName}): neither run nor kept in the job dead-letter queue.`,
    );
  }
}

/** Errors and throttles of every function, outbox lag, and domain events committed but not published. */
export function alarmOnFunctions(stack: Stack, alarm: AlarmFactory, prefix: string, built: Functions): void {
  const { functions, logGroups } = built;
  // Events waiting in the stream: the age of the newest record the function read.
  alarm(
    'OutboxIteratorAgeAlarm',
    functions.TableStream.metric('IteratorAge', { statistic: 'Maximum', ...fiveMinutes }),
    'Outbox delivery lags more than 5 minutes behind the table.',
    300_000,
  );
  // A publish that fails after the write committed is only logged (shared/platform/event-bus.ts).
  for (const spec of lambdaFunctions.filter((f) => functionAccess[f.name].publishesEvents)) {
    const filter = new MetricFilter(stack, `${spec.name}UnpublishedEvents`, {
      logGroup: logGroups[spec.name],
      filterPattern: FilterPattern.stringValue('$.message', '=', 'domain events not published'),
      metricNamespace: `ETeam/${prefix}`,
      metricName: 'UnpublishedDomainEvents',
      metricValue: '1',
    });
    alarm(
      `${spec.name}UnpublishedEventsAlarm`,
      filter.metric({ statistic: 'Sum', ...fiveMinutes }),
      `${spec.name}: domain events were committed but not published.`,
    );
  }
  for (const spec of lambdaFunctions) {
    const fn = functions[spec.name];
    alarm(
      `${spec.name}ErrorsAlarm`,
      fn.metricErrors({ ...fiveMinutes, statistic: 'Sum' }),
      `${spec.name}: the function failed.`,
    );
    alarm(
      `${spec.name}ThrottlesAlarm`,
      fn.metricThrottles({ ...fiveMinutes, statistic: 'Sum' }),
      `${spec.name}: invocations were throttled.`,
    );
  }
}

/** 5xx answers (the app never should give one) and a p99 latency held too long. */
export function alarmOnApi(alarm: AlarmFactory, api: HttpApi): void {
  alarm(
    'Api5xxAlarm',
    api.metricServerError({ ...fiveMinutes, statistic: 'Sum' }),
    'The API answered 5xx: the app never should (bad input is a 4xx).',
  );
  alarm(
    'ApiLatencyP99Alarm',
    api.metricLatency({ ...fiveMinutes, statistic: 'p99' }),
    `The API's p99 latency stayed above ${API_P99_LATENCY_MS} ms for 15 minutes.`,
    API_P99_LATENCY_MS,
    3,
  );
}

/** The operations the functions call (TABLE_ACTIONS; transactions are their own metric). */
const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

export function alarmOnTable(alarm: AlarmFactory, table: TableV2): void {
  alarm(
    'TableSystemErrorsAlarm',
    table.metricSystemErrorsForOperations({ operations: tableOperations, ...fiveMinutes }),
    'DynamoDB answered requests on the table with internal errors (HTTP 500).',
  );
  alarm(
    'TableThrottlesAlarm',
    table.metricThrottledRequestsForOperations({ operations: tableOperations, ...fiveMinutes }),
    'DynamoDB throttled requests on the table (a hot partition: on-demand tables throttle at 1,000 writes/3,000 reads per second per partition).',
  );
}
