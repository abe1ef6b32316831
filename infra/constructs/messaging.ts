import { Duration, type Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, EventBus, Rule, type CfnArchive } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Schedule, ScheduleExpression, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { DeploymentContext } from '../context.ts';
import { OutboxRelay } from '../outbox.ts';
import type { ApplicationShape } from '../stack.ts';
import type { Functions } from './functions.ts';
import { acknowledge, logicalIdOf } from './nag.ts';

/**
 * Events, schedules and dead letters: the domain event bus and its archive, the dead-letter
 * queues, the schedule group and the role EventBridge Scheduler uses. `deliverToFunctions` then
 * connects them to the functions: recurring schedules, the outbox (table stream) and the consumer
 * rule. Added to the stack's own scope, as every part under infra/constructs/ (see data.ts for why).
 */
export interface Messaging {
  readonly bus: EventBus;
  /** Failed job runs (Lambda async failures and Scheduler delivery failures). */
  readonly jobDeadLetters: Queue;
  /** Domain events a consumer could not handle (Lambda async failures and rule delivery failures). */
  readonly eventDeadLetters: Queue;
  /** One-time schedules the app creates (SCHEDULER_DLQ_ARN) that Scheduler could not deliver. */
  readonly oneTimeJobDeadLetters: Queue;
  readonly scheduleGroup: ScheduleGroup;
  /** The one role Scheduler uses: recurring schedules and the app's one-time schedules (SCHEDULER_ROLE_ARN). */
  readonly schedulerRole: Role;
}

export function addMessaging(stack: Stack, prefix: string, key: Key): Messaging {
  const bus = addBus(stack, prefix, key);
  const deadLetterQueue = (name: string, queueName = name.replace(/DeadLetters$/, '').toLowerCase()) =>
    new Queue(stack, name, {
      queueName: `${prefix}-${queueName}-dlq`,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  const jobDeadLetters = deadLetterQueue('JobDeadLetters');
  const eventDeadLetters = deadLetterQueue('EventDeadLetters');
  // Apart from the job queue because its redrive differs: the moment has usually passed, so an
  // operator decides per visit rather than replaying.
  const oneTimeJobDeadLetters = deadLetterQueue('OneTimeJobDeadLetters', 'one-time-job');
  // cdk-nag sees the other two as some function's DeadLetterConfig; this one is named only at run time.
  acknowledge(
    oneTimeJobDeadLetters,
    'AwsSolutions-SQS3',
    'This queue is itself a dead-letter queue: one-time schedules Scheduler could not deliver to the job runner (named in each schedule’s DeadLetterConfig at run time).',
  );
  const scheduleGroup = new ScheduleGroup(stack, 'Jobs', { scheduleGroupName: prefix });
  const schedulerRole = new Role(stack, 'SchedulerRole', {
    description: 'EventBridge Scheduler invokes the job runner',
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        // Scheduler names the schedule group as the source (AWS's confused-deputy guidance).
        StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': scheduleGroup.scheduleGroupArn },
      },
    }),
  });
  // Scheduler writes a schedule's dead letters with the schedule's role, for schedules created
  // through the API as for the recurring ones (CDK's LambdaInvoke target does the same grant).
  jobDeadLetters.grantSendMessages(schedulerRole);
  oneTimeJobDeadLetters.grantSendMessages(schedulerRole);
  return { bus, jobDeadLetters, eventDeadLetters, oneTimeJobDeadLetters, scheduleGroup, schedulerRole };
}

/** Events name citizens and visits: the bus and its archive are under the messaging key. */
function addBus(stack: Stack, prefix: string, key: Key): EventBus {
  const bus = new EventBus(stack, 'DomainEvents', {
    eventBusName: prefix,
    description: 'E-team domain events',
    kmsKey: key,
  });
  // Lets an operator replay events after fixing a consumer. In the bus's scope, as `bus.archive`
  // made it. The key is set on the resource, with its key-policy statement naming the bus by a
  // built ARN: CDK's `kmsKey` on an archive names it by the bus's attribute, and the bus names
  // the key, which is a dependency cycle.
  const archive = new Archive(bus, 'DomainEventArchive', {
    sourceEventBus: bus,
    archiveName: `${prefix}-domain-events`,
    description: 'Every domain event, for replay after a consumer fix',
    eventPattern: { account: [stack.account] },
    retention: Duration.days(90),
  });
  (archive.node.defaultChild as CfnArchive).addPropertyOverride('KmsKeyIdentifier', key.keyArn);
  const busArn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: prefix });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'EventBridgeArchive',
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account, 'kms:EncryptionContext:aws:events:event-bus:arn': busArn },
      },
    }),
  );
  return bus;
}

export interface DeliveryProps {
  readonly prefix: string;
  readonly deployment: DeploymentContext;
  readonly application: ApplicationShape;
  readonly messaging: Messaging;
  readonly functions: Functions['functions'];
  readonly table: TableV2;
  readonly key: Key;
}

/** Schedules → the job runner, the table's stream → the table-stream function, consumed events → the consumer. */
export function deliverToFunctions(stack: Stack, props: DeliveryProps): OutboxRelay {
  scheduleJobs(stack, props);
  // Outbox events to the bus, device events to derived state.
  const outbox = new OutboxRelay(stack, 'Outbox', {
    table: props.table,
    fn: props.functions.TableStream,
    entities: props.application.streamEntities ?? ['OutboxEvent'],
    modifiedEntities: props.application.streamModifiedEntities ?? [],
    queueName: `${props.prefix}-outbox-dlq`,
    encryptionKey: props.key,
  });
  acknowledge(
    outbox.deadLetters,
    'AwsSolutions-SQS3',
    'This queue is itself a dead-letter queue: stream records the table-stream function could not handle.',
  );
  // No rule while nothing consumes.
  if (props.application.consumedEventTypes.length > 0) {
    new Rule(stack, 'ConsumedEvents', {
      ruleName: `${props.prefix}-consumed-events`,
      description: 'Domain events that have a consumer (shared/domain-events/)',
      eventBus: props.messaging.bus,
      eventPattern: {
        source: [`e-team.${props.deployment.municipality}`],
        detailType: [...props.application.consumedEventTypes],
      },
      targets: [
        new LambdaFunction(props.functions.DomainEventConsumer, {
          deadLetterQueue: props.messaging.eventDeadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
  return outbox;
}

/** Scheduler may invoke the runner (recurring and one-time schedules); one schedule per recurring job (shared/jobs/). */
function scheduleJobs(stack: Stack, { application, messaging, functions }: DeliveryProps): void {
  const { schedulerRole, scheduleGroup, jobDeadLetters } = messaging;
  functions.JobRunner.grantInvoke(schedulerRole);
  acknowledgeSchedulerRole(schedulerRole, logicalIdOf(functions.JobRunner));
  for (const [job, every] of Object.entries(application.recurringJobs)) {
    new Schedule(stack, `Job-${job}`, {
      scheduleName: job,
      scheduleGroup,
      description: `Recurring job ${job}`,
      schedule: ScheduleExpression.expression(every),
      target: new LambdaInvoke(functions.JobRunner, {
        role: schedulerRole,
        input: ScheduleTargetInput.fromObject({ job, payload: {} }),
        deadLetterQueue: jobDeadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}

function acknowledgeSchedulerRole(schedulerRole: Role, jobRunnerLogicalId: string): void {
  acknowledge(
    schedulerRole,
    `AwsSolutions-IAM5[Resource::<${jobRunnerLogicalId}.Arn>:*]`,
    'Invoke permission on the job runner includes its versions and aliases (CDK grantInvoke); it is the one function Scheduler may invoke.',
  );
  acknowledge(
    schedulerRole,
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    'Sending to the KMS-encrypted job dead-letter queue needs data keys of the messaging key only.',
  );
  acknowledge(
    schedulerRole,
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    'Granted by CDK with the encrypted queue; limited to the messaging key.',
  );
  const schedulerInline =
    'One-to-one with the scheduler role: invoking the job runner and writing its dead-letter queues, created and deleted with the role, shared with nothing.';
  acknowledge(schedulerRole, 'HIPAA.Security-IAMNoInlinePolicy', schedulerInline);
  acknowledge(schedulerRole, 'NIST.800.53.R5-IAMNoInlinePolicy', schedulerInline);
}
