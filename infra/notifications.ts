import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Function as LambdaFunctionResource, Runtime, Tracing, type Code } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { CHIME_EVENT_TYPE } from '../shared/notifications/checkin.ts';
import { notifierDomainEventTypes } from '../shared/notifications/registry.ts';
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
  /** The environment every function gets (stack.ts). */
  readonly environment: Record<string, string>;
  readonly schedulerRole: Role;
  readonly oneTimeJobDeadLetters: Queue;
  readonly eventDeadLetters: Queue;
  readonly alarmTopic: Topic;
  readonly auditAppendOnly: readonly PolicyStatement[];
  readonly code: Code;
  readonly logRetention: RetentionDays;
  readonly alarm: (id: string, metric: IMetric, description: string) => unknown;
  /** The API function that serves the push-subscription and ack-link routes: it gets the public key and the link secret. */
  readonly apiFunction: LambdaFunctionResource;
}

export const NOTIFIER_SUFFIX = 'notifier';
export const NOTIFIER_ENTRY = NOTIFIER_FUNCTION.entry;

export class Notifications extends Construct {
  readonly function: LambdaFunctionResource;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const functionName = `${props.prefix}-${NOTIFIER_SUFFIX}`;
    const ownArn = stack.formatArn({ service: 'lambda', resource: 'function', resourceName: functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const context = (key: string) => {
      const value: unknown = this.node.tryGetContext(key);
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    };
    const smsOrigination = context('smsOriginationIdentity');
    const vapidPublicKey = context('vapidPublicKey');

    // The VAPID private key is made outside AWS (`npx web-push generate-vapid-keys`) and put into
    // this secret; the generated value is only a placeholder until then (pushes fail, and are recorded so).
    const vapidPrivateKey = new Secret(this, 'VapidPrivateKey', {
      secretName: `${props.prefix}/vapid-private-key`,
      description: 'VAPID private key that signs web pushes (replace the placeholder with the key matching context vapidPublicKey)',
      encryptionKey: props.dataKey,
      generateSecretString: { passwordLength: 43, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const ackLinkSecret = new Secret(this, 'AckLinkSecret', {
      secretName: `${props.prefix}/ack-link-secret`,
      description: 'Signs the acknowledgement links in pushes and SMS',
      encryptionKey: props.dataKey,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const secret of [vapidPrivateKey, ackLinkSecret]) {
      acknowledge(secret, 'AwsSolutions-SMG4', 'Rotating it needs a matching change outside AWS (browsers subscribed with the VAPID public key; links already sent); rotated by hand, readable only through the data key.');
    }

    const logGroup = new LogGroup(this, 'Logs', { logGroupName: `/aws/lambda/${functionName}`, retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Notifier: alert escalation, web push, SMS, video check-in (${props.prefix})` });
    logGroup.grantWrite(role);
    this.role = role;

    const consoleBaseUrl = context('consoleBaseUrl');
    const fn = new LambdaFunctionResource(this, 'Function', {
      functionName,
      description: 'Alert escalation (duty roster, chain, team alarm), web push and SMS, visit reminders, check-in from Chime events',
      code: props.code,
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.environment,
        SCHEDULE_GROUP_NAME: props.prefix,
        SCHEDULER_ROLE_ARN: props.schedulerRole.roleArn,
        // Escalation steps come back to this function, not to the job runner.
        SCHEDULER_TARGET_ARN: ownArn,
        SCHEDULER_DLQ_ARN: props.oneTimeJobDeadLetters.queueArn,
        ALARM_TOPIC_ARN: props.alarmTopic.topicArn,
        ACK_LINK_SECRET: ackLinkSecret.secretValue.unsafeUnwrap(),
        VAPID_PRIVATE_KEY: vapidPrivateKey.secretValue.unsafeUnwrap(),
        ...(vapidPublicKey ? { VAPID_PUBLIC_KEY: vapidPublicKey } : {}),
        ...(smsOrigination ? { SMS_ORIGINATION_IDENTITY: smsOrigination } : {}),
        ...(consoleBaseUrl ? { CONSOLE_BASE_URL: consoleBaseUrl } : {}),
      },
      environmentEncryption: props.dataKey,
      deadLetterQueue: props.eventDeadLetters,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.function = fn;
    props.dataKey.grantDecrypt(role);
    props.eventDeadLetters.grantSendMessages(role);
    props.table.grantReadWriteData(fn);
    for (const statement of props.auditAppendOnly) role.addToPolicy(statement);
    props.bus.grantPutEventsTo(fn);
    props.alarmTopic.grantPublish(role);

    // The API function verifies ack links and hands out the public key; it sends nothing.
    props.apiFunction.addEnvironment('ACK_LINK_SECRET', ackLinkSecret.secretValue.unsafeUnwrap());
    if (vapidPublicKey) props.apiFunction.addEnvironment('VAPID_PUBLIC_KEY', vapidPublicKey);
    if (consoleBaseUrl) props.apiFunction.addEnvironment('CONSOLE_BASE_URL', consoleBaseUrl);

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

    const target = () => new LambdaFunction(fn, { deadLetterQueue: props.eventDeadLetters, retryAttempts: 8, maxEventAge: Duration.hours(24) });
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

    props.alarm('NotifierErrorsAlarm', fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 'Notifier: the function failed (pages or reminders may not have gone out).');
    props.alarm('NotifierThrottlesAlarm', fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 'Notifier: invocations were throttled.');

    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (active tracing).');
    acknowledge(role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Granted with the encrypted table, queue, topic or function environment; limited to this stack’s keys.');
    acknowledge(role, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'Granted by CDK with the encrypted table or dead-letter queue; limited to this stack’s keys.');
    acknowledge(role, `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(props.table.node.defaultChild as never))}.Arn>/index/*]`, 'Queries use the table’s global secondary indexes; scoped to this table.');
    acknowledge(role, `AwsSolutions-IAM5[Resource::arn:${partition}:sms-voice:${region}:${account}:*]`, 'SMS leave from an origination identity registered outside the stack; scoped to this account and region.');
    acknowledge(role, `AwsSolutions-IAM5[Resource::arn:${partition}:scheduler:${region}:${account}:schedule/${props.prefix}/*]`, 'Escalation steps are one-time schedules named at run time; scoped to this stack’s schedule group.');
    acknowledge(props.schedulerRole, `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(fn.node.defaultChild as never))}.Arn>:*]`, 'Invoke permission on the notifier includes its versions and aliases (CDK grantInvoke); Scheduler runs the escalation steps there.');
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
