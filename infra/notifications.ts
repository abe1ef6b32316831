import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunctionResource, Code } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHIME_EVENT_TYPE } from '#shared/notifications/checkin.ts';
import { notifierDomainEventTypes } from '#shared/notifications/registry.ts';
import { leadingKeyPatterns } from '#shared/table/table-access.ts';
import { NOTIFIER_RESERVED_CONCURRENCY } from './access.ts';
import type { AppSecret } from './app-secret.ts';
import { acknowledge, logicalIdOf, nagArnParts } from './constructs/nag.ts';
import { hardenedFunction } from './hardened-function.ts';
import { NOTIFIER_FUNCTION } from './notifier-entry.ts';

/**
 * Alerts and reminders reaching people: the notifier function, the only one that may send SMS
 * (AWS End User Messaging SMS), hold the VAPID private key that signs web pushes, and publish the
 * team alarm to the alarm topic. It consumes the alert, reminder and visit events of the
 * service's bus and Chime's meeting events from the default bus, and runs the escalation steps'
 * one-time schedules, which it creates pointing at itself.
 */
export interface NotificationsProps {
  readonly prefix: string;
  readonly municipality: string;
  readonly table: TableV2;
  readonly bus: EventBus;
  readonly dataKey: Key;
  /** The environment every function gets (constructs/functions.ts). */
  readonly environment: Record<string, string>;
  readonly schedulerRole: Role;
  readonly oneTimeJobDeadLetters: Queue;
  readonly eventDeadLetters: Queue;
  readonly alarmTopic: Topic;
  readonly auditAppendOnly: readonly PolicyStatement[];
  /** The table actions every function with table access gets, held to the notifier's partitions (LeadingKeys). */
  readonly tableActions: readonly string[];
  /** Encrypts the notifier's log group. */
  readonly logsKey: IKey;
  readonly appSecret: AppSecret;
  readonly code: Code;
  readonly logRetention: RetentionDays;
  readonly alarm: (id: string, metric: IMetric, description: string) => unknown;
  /** The API function that serves the push-subscription and ack-link routes: it gets the public key. */
  readonly apiFunction: LambdaFunctionResource;
}

export const NOTIFIER_SUFFIX = 'notifier';
export const NOTIFIER_ENTRY = NOTIFIER_FUNCTION.entry;

export class Notifications extends Construct {
  readonly function: LambdaFunctionResource;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const vapidPrivateKey = this.addVapidPrivateKey(props);
    const { function: fn, role } = this.addFunction(props, vapidPrivateKey);
    this.function = fn;
    this.role = role;
    this.grant(props, vapidPrivateKey);
    // The API function hands out the public key and builds links to the console; it sends nothing.
    const vapidPublicKey = this.context('vapidPublicKey');
    const consoleBaseUrl = this.context('consoleBaseUrl');
    if (vapidPublicKey) props.apiFunction.addEnvironment('VAPID_PUBLIC_KEY', vapidPublicKey);
    if (consoleBaseUrl) props.apiFunction.addEnvironment('CONSOLE_BASE_URL', consoleBaseUrl);
    this.addRules(props);
    props.alarm(
      'NotifierErrorsAlarm',
      fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      'Notifier: the function failed (pages or reminders may not have gone out).',
    );
    props.alarm(
      'NotifierThrottlesAlarm',
      fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      'Notifier: invocations were throttled.',
    );
    this.acknowledgeFindings(props);
  }

  private context(key: string): string | undefined {
    const value: unknown = this.node.tryGetContext(key);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }

  /**
   * The VAPID private key is made outside AWS (`npx web-push generate-vapid-keys`) and put into
   * this secret; the generated value is only a placeholder until then (pushes fail, and are recorded so).
   */
  private addVapidPrivateKey(props: NotificationsProps): Secret {
    const vapidPrivateKey = new Secret(this, 'VapidPrivateKey', {
      secretName: `${props.prefix}/vapid-private-key`,
      description:
        'VAPID private key that signs web pushes (replace the placeholder with the key matching context vapidPublicKey); read at run time by the notifier only',
      encryptionKey: props.dataKey,
      generateSecretString: { passwordLength: 43, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A VAPID key pair is one identity towards the browsers' push services: every subscription was
    // made with the public key, so a new private key without a new public key (context
    // vapidPublicKey) and every staff member re-subscribing breaks every push. A rotation Lambda
    // cannot do that; it is a planned, manual step (infra/README.md).
    const noRotation =
      'A VAPID private key cannot rotate on its own: every browser subscription is bound to the matching public key, so a new key needs a new public key in context and every device to re-subscribe; rotated by hand in one planned step, readable only by the notifier.';
    for (const rule of [
      'AwsSolutions-SMG4',
      'HIPAA.Security-SecretsManagerRotationEnabled',
      'NIST.800.53.R5-SecretsManagerRotationEnabled',
    ])
      acknowledge(vapidPrivateKey, rule, noRotation);
    return vapidPrivateKey;
  }

  private addFunction(props: NotificationsProps, vapidPrivateKey: Secret) {
    const functionName = `${props.prefix}-${NOTIFIER_SUFFIX}`;
    const ownArn = Stack.of(this).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const smsOrigination = this.context('smsOriginationIdentity');
    const vapidPublicKey = this.context('vapidPublicKey');
    const consoleBaseUrl = this.context('consoleBaseUrl');
    return hardenedFunction(this, 'Function', {
      functionName,
      description:
        'Alert escalation (duty roster, chain, team alarm), web push and SMS, visit reminders, check-in from Chime events',
      roleDescription: `Notifier: alert escalation, web push, SMS, video check-in (${props.prefix})`,
      code: props.code,
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: {
        ...props.environment,
        SCHEDULE_GROUP_NAME: props.prefix,
        SCHEDULER_ROLE_ARN: props.schedulerRole.roleArn,
        // Escalation steps come back to this function, not to the job runner.
        SCHEDULER_TARGET_ARN: ownArn,
        SCHEDULER_DLQ_ARN: props.oneTimeJobDeadLetters.queueArn,
        ALARM_TOPIC_ARN: props.alarmTopic.topicArn,
        // The ARN only: the key is read at run time (functions/notifier/notifier.ts), never put in the environment.
        VAPID_PRIVATE_KEY_SECRET_ARN: vapidPrivateKey.secretArn,
        ...(vapidPublicKey ? { VAPID_PUBLIC_KEY: vapidPublicKey } : {}),
        ...(smsOrigination ? { SMS_ORIGINATION_IDENTITY: smsOrigination } : {}),
        ...(consoleBaseUrl ? { CONSOLE_BASE_URL: consoleBaseUrl } : {}),
      },
      environmentKey: props.dataKey,
      logsKey: props.logsKey,
      logRetention: props.logRetention,
      reservedConcurrency: NOTIFIER_RESERVED_CONCURRENCY,
      invocation: { kind: 'async', deadLetterQueue: props.eventDeadLetters },
    });
  }

  private grant(props: NotificationsProps, vapidPrivateKey: Secret): void {
    const { function: fn, role } = this;
    const stack = Stack.of(this);
    // Ack links are signed with a key derived from the app secret's cursor key (shared/notifications/escalation.ts).
    props.appSecret.grantRead(fn);
    vapidPrivateKey.grantRead(role);
    role.addToPolicy(
      new PolicyStatement({
        sid: 'TablePartitions',
        actions: [...props.tableActions],
        resources: [props.table.tableArn, `${props.table.tableArn}/index/*`],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeyPatterns.Notifier] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    props.dataKey.grantEncryptDecrypt(role);
    for (const statement of props.auditAppendOnly) role.addToPolicy(statement);
    props.alarmTopic.grantPublish(role);
    role.addToPolicy(
      new PolicyStatement({
        sid: 'SendSms',
        actions: ['sms-voice:SendTextMessage'],
        // The origination identity (phone number, sender id or pool) is registered out of band; its ARN is not known here.
        resources: [stack.formatArn({ service: 'sms-voice', resource: '*' })],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'EscalationSchedules',
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${props.prefix}/*` })],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [props.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    fn.grantInvoke(props.schedulerRole);
  }

  /** The service's alert, reminder and visit events, and Chime's meeting events from the default bus. */
  private addRules(props: NotificationsProps): void {
    const target = () =>
      new LambdaFunction(this.function, {
        deadLetterQueue: props.eventDeadLetters,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      });
    new Rule(this, 'AlertAndReminderEvents', {
      ruleName: `${props.prefix}-notifier-events`,
      description: 'Alert, reminder and visit events the notifier acts on',
      eventBus: props.bus,
      eventPattern: { source: [`e-team.${props.municipality}`], detailType: [...notifierDomainEventTypes].sort() },
      targets: [target()],
    });
    const defaultBus: IEventBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    new Rule(this, 'ChimeMeetingEvents', {
      ruleName: `${props.prefix}-chime-meeting-events`,
      description: 'Chime SDK attendee joined/left and meeting ended: check-in from the video',
      eventBus: defaultBus,
      eventPattern: { source: ['aws.chime'], detailType: [CHIME_EVENT_TYPE] },
      targets: [target()],
    });
  }

  private acknowledgeFindings(props: NotificationsProps): void {
    const { role } = this;
    const { partition, region, account } = nagArnParts(this);
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (active tracing).',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Granted with the encrypted table, queue, topic or function environment; limited to this stack’s keys.',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'Granted by CDK with the encrypted table or dead-letter queue; limited to this stack’s keys.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.table)}.Arn>/index/*]`,
      'Queries use the table’s global secondary indexes; scoped to this table.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::arn:${partition}:sms-voice:${region}:${account}:*]`,
      'SMS leave from an origination identity registered outside the stack; scoped to this account and region.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::arn:${partition}:scheduler:${region}:${account}:schedule/${props.prefix}/*]`,
      'Escalation steps are one-time schedules named at run time; scoped to this stack’s schedule group.',
    );
    acknowledge(
      props.schedulerRole,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.function)}.Arn>:*]`,
      'Invoke permission on the notifier includes its versions and aliases (CDK grantInvoke); Scheduler runs the escalation steps there.',
    );
  }
}
