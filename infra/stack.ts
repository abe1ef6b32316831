import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunctionResource } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { AppSecret } from './app-secret.ts';
import type { LambdaFunctionName } from './bundling.ts';
import { addApi } from './constructs/api.ts';
import {
  addAlarmTopic,
  alarmOnApi,
  alarmOnFunctions,
  alarmOnMessaging,
  alarmOnTable,
  type AlarmFactory,
  type Alarms,
} from './constructs/alarms.ts';
import { addData, type StackKeys } from './constructs/data.ts';
import { addFunctions, functionCode, LOG_RETENTION, TABLE_ACTIONS, type Functions } from './constructs/functions.ts';
import { addIdentity, type Identity } from './constructs/identity.ts';
import { addMessaging, deliverToFunctions, type Messaging } from './constructs/messaging.ts';
import { resourcePrefix, type DeploymentContext } from './context.ts';
import { Notifications, NOTIFIER_ENTRY } from './notifications.ts';
import type { ApiRoute } from './routes.ts';
import { WebClient } from './constructs/web.ts';

export { API_THROTTLE, DEVICE_INGEST_THROTTLE } from './constructs/api.ts';
export { API_P99_LATENCY_MS } from './constructs/alarms.ts';
export { functionCode, TABLE_ACTIONS };

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
  /** Entities whose MODIFYs the table-stream function handles (raw device events: the first copy is kept). */
  readonly streamModifiedEntities?: readonly string[];
}

export interface ETeamStackProps extends StackProps {
  readonly deployment: DeploymentContext;
  readonly application: ApplicationShape;
}

/**
 * One stack per stage and municipality. Each part is built by a file of infra/constructs/ (data,
 * identity, messaging, functions, API, alarms) and wired here; every part adds its resources to
 * this stack's own scope, so the logical ids stay those a deployed stack has (infra/constructs/data.ts).
 */
export class ETeamStack extends Stack {
  readonly functions: Record<LambdaFunctionName, LambdaFunctionResource>;
  readonly api: HttpApi;
  readonly table: TableV2;
  /**
   * For resources added later (a construct file under infra/, wired in here with a few lines):
   * the stack's keys (data: citizen data; messaging: queues, bus, alarm topic; logs: log groups),
   * the app secret, and `alarm`, which notifies every alarm target.
   */
  readonly keys: StackKeys;
  readonly appSecret: AppSecret;
  readonly alarm: AlarmFactory;

  constructor(scope: Construct, id: string, props: ETeamStackProps) {
    super(scope, id, props);
    const { deployment, application } = props;
    const prefix = resourcePrefix(deployment);
    Tags.of(this).add('project', 'e-team');
    Tags.of(this).add('stage', deployment.stage);
    Tags.of(this).add('municipality', deployment.municipality);

    const { keys, table, appSecret } = addData(this, prefix);
    const identity = addIdentity(this, prefix, deployment);
    const alarms = addAlarmTopic(this, prefix, deployment, keys.messaging);
    const messaging = addMessaging(this, prefix, keys.messaging);
    const functions = addFunctions(this, { prefix, deployment, table, keys, appSecret, identity, messaging });
    const outbox = deliverToFunctions(this, {
      ...{ prefix, deployment, application, messaging, table },
      functions: functions.functions,
      key: keys.messaging,
    });
    this.addNotifications({ prefix, deployment, table, keys, appSecret, messaging, functions, alarms });
    const { api, stage } = addApi(this, {
      prefix,
      deployment,
      application,
      functions: functions.functions,
      identity,
      logsKey: keys.logs,
    });

    alarmOnMessaging(alarms.alarm, messaging, outbox);
    alarmOnFunctions(this, alarms.alarm, prefix, functions);
    alarmOnApi(alarms.alarm, api);
    alarmOnTable(alarms.alarm, table);
    this.addOutputs({ prefix, deployment, identity, table, messaging, alarms, appSecret, stage });
    // Web clients (tablet, console) on one origin with the API.
    const web = new WebClient(this, 'Web', {
      api,
      prefix,
      consoleAuth: { domain: identity.hostedSignIn.baseUrl(), clientId: identity.webClient.userPoolClientId },
    });
    new CfnOutput(this, 'WebUrl', {
      value: `https://${web.distribution.distributionDomainName}`,
      description: 'The web clients (/tablet, /console) and the API on one HTTPS origin',
    });
    this.functions = functions.functions;
    this.api = api;
    this.table = table;
    this.keys = keys;
    this.appSecret = appSecret;
    this.alarm = alarms.alarm;
  }

  /** Alerts and reminders reach people: the one function that sends SMS and pushes (infra/notifications.ts). */
  private addNotifications(parts: {
    prefix: string;
    deployment: DeploymentContext;
    table: TableV2;
    keys: StackKeys;
    appSecret: AppSecret;
    messaging: Messaging;
    functions: Functions;
    alarms: Alarms;
  }): void {
    const { prefix, deployment, table, keys, appSecret, messaging, functions, alarms } = parts;
    new Notifications(this, 'Notifications', {
      prefix,
      municipality: deployment.municipality,
      table,
      bus: messaging.bus,
      dataKey: keys.data,
      environment: functions.environment,
      schedulerRole: messaging.schedulerRole,
      oneTimeJobDeadLetters: messaging.oneTimeJobDeadLetters,
      eventDeadLetters: messaging.eventDeadLetters,
      alarmTopic: alarms.topic,
      auditAppendOnly: functions.auditAppendOnly,
      code: functionCode({ name: 'Notifier', entry: NOTIFIER_ENTRY }),
      logRetention: LOG_RETENTION,
      alarm: alarms.alarm,
      apiFunction: functions.functions.Dispensers,
      tableActions: TABLE_ACTIONS,
      logsKey: keys.logs,
      appSecret,
    });
  }

  private addOutputs(parts: {
    prefix: string;
    deployment: DeploymentContext;
    identity: Identity;
    table: TableV2;
    messaging: Messaging;
    alarms: Pick<Alarms, 'topic'>;
    appSecret: AppSecret;
    stage: HttpStage;
  }): void {
    const { prefix, deployment, identity, table, messaging, alarms, appSecret, stage } = parts;
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', {
      value: identity.webClient.userPoolClientId,
      description: 'App client of the web front-end (PKCE, no secret)',
    });
    new CfnOutput(this, 'HostedSignInDomain', {
      value: `${deployment.authDomainPrefix ?? prefix}.auth.${this.region}.amazoncognito.com`,
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: messaging.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'AppSecretName', {
      value: appSecret.secret.secretName,
      description: 'nationalIdPepper, cursorKey and tabletTokenKey; rotate only as infra/README.md says',
    });
  }
}
