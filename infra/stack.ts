import { spawnSync } from 'node:child_process';
import {
  ArnFormat,
  AssetHashType,
  type CfnElement,
  CfnOutput,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Tags,
  Token,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  LogGroupLogDestination,
  type CfnStage,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, type CfnArchive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, type Function as LambdaFunctionResource } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { roles } from '#shared/platform/actor.ts';
import type { Config } from '#shared/platform/config.ts';
import { globalIndexes, STREAM_VIEW_TYPE, TTL_ATTRIBUTE } from '#shared/table/schema.ts';
import { functionAccess, reservedConcurrency, type FunctionAccess } from './access.ts';
import { AppSecret } from './app-secret.ts';
import { TableBackup } from './backup.ts';
import { hardenedFunction } from './hardened-function.ts';
import { OutboxRelay } from './outbox.ts';
import { leadingKeyPatterns } from '#shared/table/table-access.ts';
import { WebClient } from './web.ts';
import {
  PROJECT_ROOT,
  lambdaFunctions,
  lambdaRuntimeEnvironment,
  type LambdaFunctionName,
  type LambdaFunctionSpec,
} from './bundling.ts';
import { resourcePrefix, type DeploymentContext } from './context.ts';
import { publicRoutes, routeKey, type ApiRoute } from './routes.ts';
import { Notifications, NOTIFIER_ENTRY } from './notifications.ts';

/** What the stack derives from the application code (see infra/app.ts, which reads the registries). */
export interface ApplicationShape {
  /** Every API route with the part that serves it. */
  readonly routes: readonly ApiRoute[];
  /** Recurring jobs: name → EventBridge Scheduler rate expression. */
  readonly recurringJobs: Readonly<Record<string, string>>;
  /** Domain event types that have at least one consumer. */
  readonly consumedEventTypes: readonly string[];
  /** Entities whose INSERTs the table-stream function handles (the outbox's, and derived state's). */
  readonly streamEntities?: readonly string[];
}

export interface ETeamStackProps extends StackProps {
  readonly deployment: DeploymentContext;
  readonly application: ApplicationShape;
}

/**
 * Stage-wide API Gateway throttling (requests per second, burst). One municipality's E-team is a
 * few dozen staff and a few hundred citizen tablets: 50 rps steady is ample headroom and keeps a
 * runaway client from running up Lambda and DynamoDB costs.
 */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
/**
 * The device ingest route gets more: after a network or power outage thousands of dispensers
 * reconnect and resend their buffered events within seconds (resends are idempotent by event id).
 */
export const DEVICE_INGEST_THROTTLE = { rateLimit: 200, burstLimit: 1000 } as const;

/** The API's p99 latency that, held for 15 minutes, raises an alarm (the functions' timeouts are 10–25 s). */
export const API_P99_LATENCY_MS = 2_000;

/**
 * What a function with table access may call, each only on its own partitions (LeadingKeys): no
 * Scan, no DescribeTable, no stream reads. Transactions are authorised as these per item.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** CloudWatch log retention for function and access logs (see infra/README.md for why a year). */
const LOG_RETENTION = RetentionDays.ONE_YEAR;

/**
 * The code of one function, bundled by the project's esbuild with the options of ./bundling.ts
 * (plugins included). CDK's local bundling hook is synchronous and esbuild runs plugins only in
 * its asynchronous API, so the build runs in a child Node process (infra/bundle-function.ts).
 * Docker is never used: when the build fails, synth fails with esbuild's message.
 */
export function functionCode(spec: Pick<LambdaFunctionSpec, 'name' | 'entry'>): Code {
  const script = ['--import', 'tsx', 'infra/bundle-function.ts', spec.name];
  return Code.fromAsset(PROJECT_ROOT, {
    // Hash the bundle, not the repository: a change elsewhere leaves the function as it is.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled (local bundling succeeds or throws). `command` also names the function, which
      // tells CDK's asset cache (keyed by source directory and these options) the nine apart.
      image: DockerImage.fromRegistry('local-bundling-only'),
      command: ['node', ...script, '/asset-output'],
      local: {
        tryBundle(outputDir) {
          const result = spawnSync(process.execPath, [...script, outputDir], {
            cwd: PROJECT_ROOT,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          if (result.status !== 0)
            throw new Error(
              `Bundling ${spec.name} (${spec.entry}) failed${result.error ? `: ${result.error.message}` : ''}; esbuild's messages are above.`,
            );
          return true;
        },
      },
    },
  });
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

export class ETeamStack extends Stack {
  readonly functions: Record<LambdaFunctionName, LambdaFunctionResource>;
  readonly api: HttpApi;
  readonly table: TableV2;
  /**
   * For resources added later (a construct file under infra/, wired in here with a few lines):
   * the stack's keys (data: citizen data; messaging: queues, bus, alarm topic; logs: log groups),
   * the app secret, and `alarm`, which notifies every alarm target.
   */
  readonly keys: { readonly data: Key; readonly messaging: Key; readonly logs: Key };
  readonly appSecret: AppSecret;
  readonly alarm: (
    id: string,
    metric: IMetric,
    description: string,
    threshold?: number,
    evaluationPeriods?: number,
  ) => Alarm;

  constructor(scope: Construct, id: string, props: ETeamStackProps) {
    super(scope, id, props);
    const { deployment, application } = props;
    const prefix = resourcePrefix(deployment);
    Tags.of(this).add('project', 'e-team');
    Tags.of(this).add('stage', deployment.stage);
    Tags.of(this).add('municipality', deployment.municipality);

    // ---- Keys ------------------------------------------------------------------------------
    // The data key protects citizens' health data (table, pepper, function environments); the
    // messaging key protects queues and the alarm topic, so granting AWS services (EventBridge,
    // CloudWatch) use of the latter never touches the former.
    const dataKey = new Key(this, 'DataKey', {
      description: `${prefix}: citizen data (table, national-id pepper, Lambda environment)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const messagingKey = new Key(this, 'MessagingKey', {
      description: `${prefix}: dead-letter queues and alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // EventBridge writes failed deliveries to the encrypted dead-letter queue; CloudWatch publishes
    // alarms to the encrypted topic. Only on behalf of this account (no confused deputy).
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      messagingKey.grant(
        new ServicePrincipal(service).withConditions({ StringEquals: { 'aws:SourceAccount': this.account } }),
        'kms:Decrypt',
        'kms:GenerateDataKey',
      );
    }
    // Function and access logs: CloudWatch Logs encrypts with it, for this account's log groups only.
    const logsKey = new Key(this, 'LogsKey', {
      description: `${prefix}: CloudWatch log groups (functions, API access logs)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logsKey.grant(
      new ServicePrincipal(`logs.${this.region}.amazonaws.com`).withConditions({
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': this.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      }),
      'kms:Encrypt*',
      'kms:Decrypt*',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
      'kms:Describe*',
    );

    // ---- Table -----------------------------------------------------------------------------
    const table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: globalIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The transactional outbox leaves through the stream (infra/outbox.ts); STREAM_VIEW_TYPE in shared/table/schema.ts.
      dynamoStream: StreamViewType[STREAM_VIEW_TYPE],
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.customerManagedKey(dataKey),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = table;

    // The pepper of record of the national-id index, generated once by Secrets Manager. No function
    // reads it: its value is copied into the app secret at deploy time (infra/app-secret.ts).
    const pepper = new Secret(this, 'NationalIdPepper', {
      secretName: `${prefix}/national-id-pepper`,
      description:
        'The pepper of record of the national-id index; functions read it from the app secret. Rotate only with a re-key (infra/README.md).',
      encryptionKey: dataKey,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const appSecret = new AppSecret(this, 'AppSecret', { prefix, legacyPepper: pepper });
    this.appSecret = appSecret;
    this.keys = { data: dataKey, messaging: messagingKey, logs: logsKey };

    // ---- Users -----------------------------------------------------------------------------
    const userPool = new UserPool(this, 'Users', {
      userPoolName: prefix,
      selfSignUpEnabled: false,
      // Staff sign in with e-mail; a citizen's tablet account is created with username = citizen id.
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Health data: Danish and EU practice is two factors for anyone who can see it. TOTP only:
      // SMS costs money, needs an SNS role and is the weaker factor.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus plan: compromised-credential checks and adaptive authentication, enforced.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const roleDescriptions: Record<(typeof roles)[number], string> = {
      assessor: 'Assesses readiness and grants',
      staff: 'Care worker: visits, dispensers, alerts',
      lead: 'Team lead: reports and approvals',
      citizen: 'A citizen (tablet): own visits only',
      admin: 'Administration and the audit log',
      dpo: 'Data-protection officer: the audit log of every team',
      reporting: 'Municipality reporting: the roll-up across teams and targets',
      support: 'IT support: technical alerts (device faults, silent devices)',
    };
    // Municipality-wide roles, each its own group (shared/platform/actor.ts may list them too).
    const municipalityRoles: Record<string, string> = {
      dpo: 'Data-protection officer: the audit log across all teams',
      reporting: 'Municipality reporting: the cross-team roll-up',
      support: 'IT support: technical alerts, no citizen data',
    };
    const groupDescriptions: Record<string, string> = { ...municipalityRoles, ...roleDescriptions };
    for (const role of new Set<string>([...roles, ...Object.keys(municipalityRoles)])) {
      userPool.addGroup(`Role-${role}`, { groupName: role, description: groupDescriptions[role] ?? role });
    }
    userPool.addGroup(`Team-${deployment.team}`, {
      groupName: `team-${deployment.team}`,
      description: `Members of team ${deployment.team}`,
    });

    const webClient: UserPoolClient = userPool.addClient('WebClient', {
      userPoolClientName: `${prefix}-web`,
      // A browser cannot keep a secret: public client, authorization code flow with PKCE.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: deployment.webCallbackUrls,
        logoutUrls: deployment.webLogoutUrls,
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // About one shift: a care worker signs in once per shift.
      refreshTokenValidity: Duration.hours(12),
    });
    const hostedSignIn = userPool.addDomain('HostedSignIn', {
      cognitoDomain: { domainPrefix: deployment.authDomainPrefix ?? prefix },
    });

    // ---- Events, schedules, dead letters, alarms ---------------------------------------------
    // Events name citizens and visits: the bus and its archive are under the messaging key.
    const bus = new EventBus(this, 'DomainEvents', {
      eventBusName: prefix,
      description: 'E-team domain events',
      kmsKey: messagingKey,
    });
    // Lets an operator replay events after fixing a consumer. In the bus's scope, as `bus.archive`
    // made it. The key is set on the resource, with its key-policy statement naming the bus by a
    // built ARN: CDK's `kmsKey` on an archive names it by the bus's attribute, and the bus names
    // the key, which is a dependency cycle.
    const archive = new Archive(bus, 'DomainEventArchive', {
      sourceEventBus: bus,
      archiveName: `${prefix}-domain-events`,
      description: 'Every domain event, for replay after a consumer fix',
      eventPattern: { account: [this.account] },
      retention: Duration.days(90),
    });
    (archive.node.defaultChild as CfnArchive).addPropertyOverride('KmsKeyIdentifier', messagingKey.keyArn);
    const busArn = this.formatArn({ service: 'events', resource: 'event-bus', resourceName: prefix });
    messagingKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeArchive',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account, 'kms:EncryptionContext:aws:events:event-bus:arn': busArn },
        },
      }),
    );

    const deadLetterQueue = (name: string, queueName = name.replace(/DeadLetters$/, '').toLowerCase()) =>
      new Queue(this, name, {
        queueName: `${prefix}-${queueName}-dlq`,
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: messagingKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    // Failed job runs (Lambda async failures and Scheduler delivery failures).
    const jobDeadLetters = deadLetterQueue('JobDeadLetters');
    // Domain events a consumer could not handle (Lambda async failures and rule delivery failures).
    const eventDeadLetters = deadLetterQueue('EventDeadLetters');
    // One-time schedules the app creates (SCHEDULER_DLQ_ARN): a reminder or no-show check Scheduler
    // could not deliver to the job runner. Apart from the job queue because its redrive differs:
    // the moment has usually passed, so an operator decides per visit rather than replaying.
    const oneTimeJobDeadLetters = deadLetterQueue('OneTimeJobDeadLetters', 'one-time-job');
    // cdk-nag sees the other two as some function's DeadLetterConfig; this one is named only at run time.
    acknowledge(
      oneTimeJobDeadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: one-time schedules Scheduler could not deliver to the job runner (named in each schedule’s DeadLetterConfig at run time).',
    );

    const alarmTopic = new Topic(this, 'Alarms', {
      topicName: `${prefix}-alarms`,
      masterKey: messagingKey,
      enforceSSL: true,
    });
    if (deployment.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(deployment.alarmEmail));
    // The operators' own topic, when given: every alarm notifies it too (context.ts refuses a
    // stage other than dev with neither target).
    const alarmActions = [
      new SnsAction(alarmTopic),
      ...(deployment.alarmTopicArn
        ? [new SnsAction(Topic.fromTopicArn(this, 'OperatorsAlarmTopic', deployment.alarmTopicArn))]
        : []),
    ];
    const alarm = (id: string, metric: IMetric, description: string, threshold = 1, evaluationPeriods = 1) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(...alarmActions);
      return created;
    };
    this.alarm = alarm;
    alarm(
      'JobDeadLettersAlarm',
      jobDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'A job run failed for good; see the job dead-letter queue.',
    );
    alarm(
      'EventDeadLettersAlarm',
      eventDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'A domain event was not consumed; see the event dead-letter queue.',
    );
    alarm(
      'OneTimeJobDeadLettersAlarm',
      oneTimeJobDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'A one-time job (visit reminder, no-show check) was not delivered; see the one-time job dead-letter queue.',
    );

    const scheduleGroup = new ScheduleGroup(this, 'Jobs', { scheduleGroupName: prefix });
    // The one role EventBridge Scheduler uses: the recurring schedules below and the one-time
    // schedules the app creates (SCHEDULER_ROLE_ARN). Only schedules of this group may assume it.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler invokes the job runner',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          // Scheduler names the schedule group as the source (AWS's confused-deputy guidance).
          StringEquals: { 'aws:SourceAccount': this.account, 'aws:SourceArn': scheduleGroup.scheduleGroupArn },
        },
      }),
    });
    // Scheduler writes a schedule's dead letters with the schedule's role, for schedules created
    // through the API as for those below (CDK's LambdaInvoke target does the same grant).
    jobDeadLetters.grantSendMessages(schedulerRole);
    oneTimeJobDeadLetters.grantSendMessages(schedulerRole);

    // ---- Functions -------------------------------------------------------------------------
    const functionName = (suffix: string) => `${prefix}-${suffix}`;
    const jobRunnerSpec = lambdaFunctions.find((f) => f.name === 'JobRunner');
    if (!jobRunnerSpec) throw new Error('The job runner is missing from infra/bundling.ts');
    // Built from the name, not the function's attribute, so the runner can carry its own ARN.
    const jobRunnerArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName(jobRunnerSpec.suffix),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    type Environment = Partial<Record<keyof Config | keyof typeof lambdaRuntimeEnvironment, string>>;
    const environment = {
      STAGE: deployment.stage,
      MUNICIPALITY: deployment.municipality,
      TIME_ZONE: deployment.timeZone,
      TABLE_NAME: table.tableName,
      AUTH_MODE: 'cognito',
      COGNITO_USER_POOL_ID: userPool.userPoolId,
      COGNITO_CLIENT_ID: webClient.userPoolClientId,
      EVENT_BUS_NAME: bus.eventBusName,
      LOG_LEVEL: deployment.logLevel,
      ...lambdaRuntimeEnvironment,
    } satisfies Environment;
    // Only where the role allows their use (shared/app/aws-deps.ts reads them when first used).
    const schedulingEnvironment = {
      SCHEDULE_GROUP_NAME: prefix,
      SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
      SCHEDULER_TARGET_ARN: jobRunnerArn,
      SCHEDULER_DLQ_ARN: oneTimeJobDeadLetters.queueArn,
    } satisfies Environment;
    const meetingsEnvironment = {
      CHIME_CONTROL_REGION: deployment.chimeControlRegion,
      CHIME_MEDIA_REGION: deployment.chimeMediaRegion,
    } satisfies Environment;

    // Audit records are append-only beyond the code: no function may change or delete an item
    // whose partition is `AUDIT#…`. (IAM cannot tell a first Put from an overwrite; the code's
    // `attribute_not_exists` condition covers that.)
    const auditAppendOnly = [
      new PolicyStatement({
        sid: 'AuditIsAppendOnly',
        effect: Effect.DENY,
        actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
      }),
      // Multi-item requests carry several leading keys: deny when ANY of them is an audit partition
      // (ForAllValues would let a batch mixing audit and other keys through).
      new PolicyStatement({
        sid: 'AuditIsAppendOnlyInBatches',
        effect: Effect.DENY,
        actions: ['dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
      }),
      // The table design has no Scan anywhere (docs/table-design.md); the grant helpers include it.
      new PolicyStatement({
        sid: 'NoScan',
        effect: Effect.DENY,
        actions: ['dynamodb:Scan'],
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    ];

    const functions = {} as Record<LambdaFunctionName, LambdaFunctionResource>;
    const logGroups = {} as Record<LambdaFunctionName, LogGroup>;
    for (const spec of lambdaFunctions) {
      const access: FunctionAccess = functionAccess[spec.name];
      const {
        function: fn,
        role,
        logGroup,
      } = hardenedFunction(this, spec.name, {
        functionName: functionName(spec.suffix),
        description: spec.purpose,
        roleDescription: `${spec.purpose} (${prefix})`,
        code: functionCode(spec),
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        environment: {
          ...environment,
          ...(access.schedules ? schedulingEnvironment : {}),
          ...(access.meetings ? meetingsEnvironment : {}),
        },
        environmentKey: dataKey,
        logsKey,
        logRetention: LOG_RETENTION,
        reservedConcurrency: reservedConcurrency[spec.name],
        invocation:
          spec.kind === 'http'
            ? {
                kind: 'sync',
                failuresSeenBy:
                  'API Gateway returns the error to the caller as the HTTP response, and the Errors and 5xx alarms fire',
              }
            : { kind: 'async', deadLetterQueue: spec.kind === 'job' ? jobDeadLetters : eventDeadLetters },
      });
      functions[spec.name] = fn;
      logGroups[spec.name] = logGroup;

      // Secrets at run time, only where used: never a secret value in any environment.
      if (access.appSecret) appSecret.grantRead(fn);
      if (access.table === 'readWrite') {
        const partitions = (leadingKeyPatterns as Record<string, readonly string[]>)[spec.name];
        if (!partitions)
          throw new Error(`${spec.name} uses the table but has no partitions in shared/table/table-access.ts`);
        role.addToPolicy(
          new PolicyStatement({
            sid: 'TablePartitions',
            actions: [...TABLE_ACTIONS],
            resources: [table.tableArn, `${table.tableArn}/index/*`],
            // Every leading key (the table's or the index's partition key) in this function's families;
            // and there must be one (ForAllValues alone would let a request without any through).
            conditions: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...partitions] },
              Null: { 'dynamodb:LeadingKeys': 'false' },
            },
          }),
        );
        dataKey.grantEncryptDecrypt(role);
      }
      for (const statement of auditAppendOnly) role.addToPolicy(statement);
      if (access.publishesEvents) bus.grantPutEventsTo(fn);
      if (access.meetings) {
        // The Chime SDK meetings API is called in the control region (CHIME_CONTROL_REGION), which
        // may differ from the stack's (eu-north-1 has none); media flows in CHIME_MEDIA_REGION.
        // Calls are allowed to that regional endpoint only.
        const inControlRegion = { StringEquals: { 'aws:RequestedRegion': deployment.chimeControlRegion } };
        role.addToPolicy(
          new PolicyStatement({
            sid: 'CreateMeetings',
            actions: ['chime:CreateMeeting'],
            resources: ['*'],
            conditions: inControlRegion,
          }),
        );
        role.addToPolicy(
          new PolicyStatement({
            sid: 'UseMeetings',
            actions: ['chime:GetMeeting', 'chime:CreateAttendee', 'chime:DeleteMeeting'],
            // The request region is pinned above; the ARN's region is left open because a meeting's
            // ARN is not documented to carry the control rather than the media region.
            resources: [this.formatArn({ service: 'chime', region: '*', resource: 'meeting', resourceName: '*' })],
            conditions: inControlRegion,
          }),
        );
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::arn:${this.nagPartition}:chime:*:${this.nagAccount}:meeting/*]`,
          'Meetings are created at run time with generated ids; scoped to this account’s meetings, called only in the Chime control region.',
        );
      }
      if (access.schedules) {
        role.addToPolicy(
          new PolicyStatement({
            sid: 'OneTimeSchedules',
            actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
            resources: [this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${prefix}/*` })],
          }),
        );
        // A schedule names the role Scheduler assumes: passing it, to Scheduler only.
        role.addToPolicy(
          new PolicyStatement({
            sid: 'PassSchedulerRole',
            actions: ['iam:PassRole'],
            resources: [schedulerRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        );
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::arn:${this.nagPartition}:scheduler:${this.nagRegion}:${this.nagAccount}:schedule/${prefix}/*]`,
          'One-time schedules (visit reminders, no-show checks) are named at run time; scoped to this stack’s schedule group.',
        );
      }

      this.acknowledgeFunctionFindings(role, {
        table,
        readsTable: access.table !== 'none',
        createsMeetings: access.meetings,
        async: spec.kind !== 'http',
      });
    }
    this.functions = functions;

    // Scheduler may invoke the runner (recurring and one-time schedules).
    functions.JobRunner.grantInvoke(schedulerRole);
    acknowledge(
      schedulerRole,
      `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(functions.JobRunner)}.Arn>:*]`,
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

    // Recurring jobs, from the job registry (shared/jobs/): one schedule each.
    for (const [job, every] of Object.entries(application.recurringJobs)) {
      new Schedule(this, `Job-${job}`, {
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

    // Jobs lost before they reached the job runner's retries: Scheduler dropped them or could not
    // even write them to the dead-letter queue. (Failures after that are the runner's Errors alarm
    // and the job dead-letter queue.)
    for (const metricName of ['InvocationDroppedCount', 'InvocationsFailedToBeSentToDeadLetterCount']) {
      alarm(
        `Scheduler${metricName}Alarm`,
        new Metric({
          namespace: 'AWS/Scheduler',
          metricName,
          dimensionsMap: { ScheduleGroup: scheduleGroup.scheduleGroupName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        `A scheduled job was lost (${metricName}): neither run nor kept in the job dead-letter queue.`,
      );
    }

    // The table's stream → the table-stream function: outbox events to the bus, device events to derived state.
    const outbox = new OutboxRelay(this, 'Outbox', {
      table,
      fn: functions.TableStream,
      entities: application.streamEntities ?? ['OutboxEvent'],
      queueName: `${prefix}-outbox-dlq`,
      encryptionKey: messagingKey,
    });
    acknowledge(
      outbox.deadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: stream records the table-stream function could not handle.',
    );
    alarm(
      'OutboxDeadLettersAlarm',
      outbox.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'Stream records (domain events, device events) were not delivered for 24 hours; see the outbox dead-letter queue.',
    );
    // Events waiting in the stream: the age of the newest record the function read.
    alarm(
      'OutboxIteratorAgeAlarm',
      functions.TableStream.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
      'Outbox delivery lags more than 5 minutes behind the table.',
      300_000,
    );

    // Consumed domain events → the consumer function. No rule while nothing consumes.
    if (application.consumedEventTypes.length > 0) {
      new Rule(this, 'ConsumedEvents', {
        ruleName: `${prefix}-consumed-events`,
        description: 'Domain events that have a consumer (shared/domain-events/)',
        eventBus: bus,
        eventPattern: {
          source: [`e-team.${deployment.municipality}`],
          detailType: [...application.consumedEventTypes],
        },
        targets: [
          new LambdaFunction(functions.DomainEventConsumer, {
            deadLetterQueue: eventDeadLetters,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    }

    // Alerts and reminders reach people: the one function that sends SMS and pushes (infra/notifications.ts).
    new Notifications(this, 'Notifications', {
      prefix,
      municipality: deployment.municipality,
      table,
      bus,
      dataKey,
      environment,
      schedulerRole,
      oneTimeJobDeadLetters,
      eventDeadLetters,
      alarmTopic,
      auditAppendOnly,
      code: functionCode({ name: 'Notifier', entry: NOTIFIER_ENTRY }),
      logRetention: LOG_RETENTION,
      alarm,
      apiFunction: functions.Dispensers,
      tableActions: TABLE_ACTIONS,
      logsKey,
      appSecret,
    });

    // A publish that fails after the write committed is only logged (shared/platform/event-bus.ts).
    for (const spec of lambdaFunctions.filter((f) => functionAccess[f.name].publishesEvents)) {
      const filter = new MetricFilter(this, `${spec.name}UnpublishedEvents`, {
        logGroup: logGroups[spec.name],
        filterPattern: FilterPattern.stringValue('$.message', '=', 'domain events not published'),
        metricNamespace: `ETeam/${prefix}`,
        metricName: 'UnpublishedDomainEvents',
        metricValue: '1',
      });
      alarm(
        `${spec.name}UnpublishedEventsAlarm`,
        filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
        `${spec.name}: domain events were committed but not published.`,
      );
    }

    for (const spec of lambdaFunctions) {
      const fn = functions[spec.name];
      alarm(
        `${spec.name}ErrorsAlarm`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        `${spec.name}: the function failed.`,
      );
      alarm(
        `${spec.name}ThrottlesAlarm`,
        fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        `${spec.name}: invocations were throttled.`,
      );
    }

    // ---- HTTP API --------------------------------------------------------------------------
    const api = new HttpApi(this, 'Api', {
      apiName: prefix,
      description: 'E-team API',
      createDefaultStage: false,
      // Only a browser front-end on another origin needs CORS; without configured origins there is none.
      ...(deployment.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: deployment.corsOrigins,
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type', 'x-request-id'],
              exposeHeaders: ['x-request-id'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    this.api = api;
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/${prefix}`,
      retention: LOG_RETENTION,
      encryptionKey: logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage: HttpStage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No subject or body: who read what is in the audit trail, not in access logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    const authorizer = new HttpUserPoolAuthorizer('Cognito', userPool, {
      userPoolClients: [webClient],
      identitySource: ['$request.header.Authorization'],
    });
    const integrationOf = (name: LambdaFunctionName) =>
      // One invoke permission per function for the whole API instead of one per route: a part
      // with dozens of routes would otherwise outgrow the 20 KB function policy limit.
      new HttpLambdaIntegration(`${name}Integration`, functions[name], { scopePermissionToRoute: false });
    const partFunction = Object.fromEntries(
      lambdaFunctions.flatMap((f) => ('apiPart' in f ? [[f.apiPart, f.name]] : [])),
    ) as Record<ApiRoute['part'], LambdaFunctionName>;
    const integrations = new Map<LambdaFunctionName, HttpLambdaIntegration>();
    const integrationFor = (name: LambdaFunctionName) => {
      let integration = integrations.get(name);
      if (!integration) integrations.set(name, (integration = integrationOf(name)));
      return integration;
    };

    for (const route of publicRoutes) {
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationFor('Public'),
      });
      if (created)
        acknowledge(created, 'AwsSolutions-APIG4', 'Public by design: health check and the API description, no data.');
    }
    const deviceRoutes = [];
    for (const route of application.routes) {
      const target = partFunction[route.part];
      if (!target) throw new Error(`API part ${route.part} has no function in infra/bundling.ts`);
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationFor(target),
        ...(route.ownCredential ? {} : { authorizer }),
      });
      if (created && route.device) deviceRoutes.push(created);
      if (created && route.ownCredential) {
        acknowledge(
          created,
          'AwsSolutions-APIG4',
          route.device
            ? 'Dispensers have no Cognito identity: the device-events function verifies each dispenser’s own credential (issued at registration) before accepting an event.'
            : 'Its callers cannot always send a bearer token (e.g. a calendar program subscribing to a URL): the function verifies the route’s own credential, and a bearer JWT when one is sent (shared/http/device-routes.ts).',
        );
      }
    }
    // Per-route throttling for device ingest; the stage must wait for the routes it names.
    const cfnStage = stage.node.defaultChild as CfnStage;
    const deviceSettings = Object.fromEntries(
      application.routes
        .filter((r) => r.device)
        .map((r) => [
          routeKey(r),
          {
            ThrottlingRateLimit: DEVICE_INGEST_THROTTLE.rateLimit,
            ThrottlingBurstLimit: DEVICE_INGEST_THROTTLE.burstLimit,
          },
        ]),
    );
    if (Object.keys(deviceSettings).length > 0) cfnStage.addPropertyOverride('RouteSettings', deviceSettings);
    for (const route of deviceRoutes) stage.node.addDependency(route);

    alarm(
      'Api5xxAlarm',
      api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The API answered 5xx: the app never should (bad input is a 4xx).',
    );
    alarm(
      'ApiLatencyP99Alarm',
      api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
      `The API's p99 latency stayed above ${API_P99_LATENCY_MS} ms for 15 minutes.`,
      API_P99_LATENCY_MS,
      3,
    );

    // ---- Table: alarms and backups ---------------------------------------------------------------
    // The operations the functions call (TABLE_ACTIONS; transactions are their own metric).
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
    alarm(
      'TableSystemErrorsAlarm',
      table.metricSystemErrorsForOperations({ operations: tableOperations, period: Duration.minutes(5) }),
      'DynamoDB answered requests on the table with internal errors (HTTP 500).',
    );
    alarm(
      'TableThrottlesAlarm',
      table.metricThrottledRequestsForOperations({ operations: tableOperations, period: Duration.minutes(5) }),
      'DynamoDB throttled requests on the table (a hot partition: on-demand tables throttle at 1,000 writes/3,000 reads per second per partition).',
    );
    new TableBackup(this, 'TableBackup', { prefix, table, key: dataKey });

    // ---- Outputs ---------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', {
      value: webClient.userPoolClientId,
      description: 'App client of the web front-end (PKCE, no secret)',
    });
    new CfnOutput(this, 'HostedSignInDomain', {
      value: `${deployment.authDomainPrefix ?? prefix}.auth.${this.region}.amazoncognito.com`,
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
    new CfnOutput(this, 'AppSecretName', {
      value: appSecret.secret.secretName,
      description: 'nationalIdPepper, cursorKey and tabletTokenKey; rotate only as infra/README.md says',
    });

    // ---- Web clients (tablet, console) on one origin with the API: infra/web.ts ------------
    const web = new WebClient(this, 'Web', {
      api,
      prefix,
      consoleAuth: { domain: hostedSignIn.baseUrl(), clientId: webClient.userPoolClientId },
    });
    new CfnOutput(this, 'WebUrl', {
      value: `https://${web.distribution.distributionDomainName}`,
      description: 'The web clients (/tablet, /console) and the API on one HTTPS origin',
    });
  }

  // cdk-nag names a finding by the rendered ARN: pseudo parameters as `<AWS::…>`, concrete values as
  // themselves (the account is concrete at deploy time, a token in an offline synth).
  private get nagPartition(): string {
    return Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
  }

  private get nagRegion(): string {
    return Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
  }

  private get nagAccount(): string {
    return Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
  }

  private logicalIdOf(construct: IConstruct): string {
    return this.resolve(this.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
  }

  /** The wildcard findings CDK's own grants produce on a function's role, each with its reason. */
  private acknowledgeFunctionFindings(
    role: Role,
    refs: { table: TableV2; readsTable: boolean; createsMeetings: boolean; async: boolean },
  ): void {
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (active tracing).' +
        (refs.createsMeetings
          ? ' Nor do Chime SDK CreateMeeting and CreateMeetingWithAttendees: the meeting ARN does not exist before the call.'
          : ''),
    );
    if (refs.readsTable || refs.async) {
      acknowledge(
        role,
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'Granted with the encrypted table or dead-letter queue; limited to this stack’s keys.',
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        'Granted by CDK with the encrypted table or dead-letter queue; limited to this stack’s keys.',
      );
    }
    if (refs.readsTable) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(refs.table)}.Arn>/index/*]`,
        'Queries use the table’s global secondary indexes (gsi1–gsi3, shared/table/schema.ts); scoped to this table.',
      );
    }
  }
}
