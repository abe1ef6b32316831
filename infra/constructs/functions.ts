import { spawnSync } from 'node:child_process';
import { ArnFormat, AssetHashType, DockerImage, Duration, type Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Code, type Function as LambdaFunctionResource } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays, type LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Config } from '#shared/platform/config.ts';
import { leadingKeyPatterns } from '#shared/table/table-access.ts';
import { functionAccess, reservedConcurrency, type FunctionAccess } from '../access.ts';
import type { AppSecret } from '../app-secret.ts';
import { PROJECT_ROOT, lambdaFunctions, type LambdaFunctionName, type LambdaFunctionSpec } from '../bundling.ts';
import type { DeploymentContext } from '../context.ts';
import { hardenedFunction } from '../hardened-function.ts';
import type { StackKeys } from './data.ts';
import type { Identity } from './identity.ts';
import type { Messaging } from './messaging.ts';
import { acknowledge, logicalIdOf, nagArnParts } from './nag.ts';

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
export const LOG_RETENTION = RetentionDays.ONE_YEAR;

/**
 * The code of one function, bundled by the project's esbuild with the options of ../bundling.ts
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

export interface FunctionsProps {
  readonly prefix: string;
  readonly deployment: DeploymentContext;
  readonly table: TableV2;
  readonly keys: StackKeys;
  readonly appSecret: AppSecret;
  readonly identity: Identity;
  readonly messaging: Messaging;
}

type Environment = Partial<Record<keyof Config, string>>;

/** The Lambdas of the manifest (infra/bundling.ts), hardened, each with only the grants its access (infra/access.ts) names. */
export interface Functions {
  readonly functions: Record<LambdaFunctionName, LambdaFunctionResource>;
  readonly logGroups: Record<LambdaFunctionName, LogGroup>;
  /** The environment every function gets. */
  readonly environment: Record<string, string>;
  /** Denies every function the change of an audit record, and Scan. */
  readonly auditAppendOnly: readonly PolicyStatement[];
}

/** Added to the stack's own scope, as every part under infra/constructs/ (see data.ts for why). */
export function addFunctions(stack: Stack, props: FunctionsProps): Functions {
  const environments = functionEnvironments(stack, props);
  const auditAppendOnly = auditAppendOnlyStatements(props.table);
  const functions = {} as Record<LambdaFunctionName, LambdaFunctionResource>;
  const logGroups = {} as Record<LambdaFunctionName, LogGroup>;
  for (const spec of lambdaFunctions) {
    const access: FunctionAccess = functionAccess[spec.name];
    const {
      function: fn,
      role,
      logGroup,
    } = hardenedFunction(stack, spec.name, {
      functionName: `${props.prefix}-${spec.suffix}`,
      description: spec.purpose,
      roleDescription: `${spec.purpose} (${props.prefix})`,
      code: functionCode(spec),
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      environment: {
        ...environments.common,
        ...(access.schedules ? environments.scheduling : {}),
        ...(access.meetings ? environments.meetings : {}),
      },
      environmentKey: props.keys.data,
      logsKey: props.keys.logs,
      logRetention: LOG_RETENTION,
      reservedConcurrency: reservedConcurrency[spec.name],
      invocation:
        spec.kind === 'http'
          ? {
              kind: 'sync',
              failuresSeenBy:
                'API Gateway returns the error to the caller as the HTTP response, and the Errors and 5xx alarms fire',
            }
          : {
              kind: 'async',
              deadLetterQueue: spec.kind === 'job' ? props.messaging.jobDeadLetters : props.messaging.eventDeadLetters,
            },
    });
    functions[spec.name] = fn;
    logGroups[spec.name] = logGroup;
    grantAccess(stack, { spec, access, fn, role, auditAppendOnly, props });
  }
  return { functions, logGroups, environment: environments.common, auditAppendOnly };
}

function functionEnvironments(stack: Stack, { prefix, deployment, table, identity, messaging }: FunctionsProps) {
  const jobRunnerSpec = lambdaFunctions.find((f) => f.name === 'JobRunner');
  if (!jobRunnerSpec) throw new Error('The job runner is missing from infra/bundling.ts');
  // Built from the name, not the function's attribute, so the runner can carry its own ARN.
  const jobRunnerArn = stack.formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: `${prefix}-${jobRunnerSpec.suffix}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const common = {
    STAGE: deployment.stage,
    MUNICIPALITY: deployment.municipality,
    TIME_ZONE: deployment.timeZone,
    TABLE_NAME: table.tableName,
    AUTH_MODE: 'cognito',
    COGNITO_USER_POOL_ID: identity.userPool.userPoolId,
    COGNITO_CLIENT_ID: identity.webClient.userPoolClientId,
    EVENT_BUS_NAME: messaging.bus.eventBusName,
    LOG_LEVEL: deployment.logLevel,
  } satisfies Environment;
  // Only where the role allows their use (shared/app/aws-deps.ts reads them when first used).
  const scheduling = {
    SCHEDULE_GROUP_NAME: prefix,
    SCHEDULER_ROLE_ARN: messaging.schedulerRole.roleArn,
    SCHEDULER_TARGET_ARN: jobRunnerArn,
    SCHEDULER_DLQ_ARN: messaging.oneTimeJobDeadLetters.queueArn,
  } satisfies Environment;
  const meetings = {
    CHIME_CONTROL_REGION: deployment.chimeControlRegion,
    CHIME_MEDIA_REGION: deployment.chimeMediaRegion,
  } satisfies Environment;
  return { common, scheduling, meetings };
}

/**
 * Audit records are append-only beyond the code: no function may change or delete an item whose
 * partition is `AUDIT#…`. (IAM cannot tell a first Put from an overwrite; the code's
 * `attribute_not_exists` condition covers that.)
 */
function auditAppendOnlyStatements(table: TableV2): PolicyStatement[] {
  return [
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
}

interface Grantee {
  readonly spec: LambdaFunctionSpec;
  readonly access: FunctionAccess;
  readonly fn: LambdaFunctionResource;
  readonly role: Role;
  readonly auditAppendOnly: readonly PolicyStatement[];
  readonly props: FunctionsProps;
}

/** Secrets, table partitions, events, meetings and schedules: only what `access` names. */
function grantAccess(stack: Stack, grantee: Grantee): void {
  const { spec, access, fn, role, props } = grantee;
  // Secrets at run time, only where used: never a secret value in any environment.
  if (access.appSecret) props.appSecret.grantRead(fn);
  if (access.table === 'readWrite') grantTablePartitions(spec, role, props);
  for (const statement of grantee.auditAppendOnly) role.addToPolicy(statement);
  if (access.publishesEvents) props.messaging.bus.grantPutEventsTo(fn);
  if (access.meetings) grantMeetings(stack, role, props.deployment);
  if (access.schedules) grantSchedules(stack, role, props);
  acknowledgeFunctionFindings(role, {
    table: props.table,
    readsTable: access.table !== 'none',
    createsMeetings: access.meetings,
    async: spec.kind !== 'http',
  });
}

/** The table's partitions of this function (shared/table/table-access.ts) and the data key. */
function grantTablePartitions(spec: LambdaFunctionSpec, role: Role, { table, keys }: FunctionsProps): void {
  const partitions = (leadingKeyPatterns as Record<string, readonly string[]>)[spec.name];
  if (!partitions) throw new Error(`${spec.name} uses the table but has no partitions in shared/table/table-access.ts`);
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
  keys.data.grantEncryptDecrypt(role);
}

/**
 * The Chime SDK meetings API is called in the control region (CHIME_CONTROL_REGION), which may
 * differ from the stack's (eu-north-1 has none); media flows in CHIME_MEDIA_REGION. Calls are
 * allowed to that regional endpoint only.
 */
function grantMeetings(stack: Stack, role: Role, deployment: DeploymentContext): void {
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
      resources: [stack.formatArn({ service: 'chime', region: '*', resource: 'meeting', resourceName: '*' })],
      conditions: inControlRegion,
    }),
  );
  const { partition, account } = nagArnParts(stack);
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::arn:${partition}:chime:*:${account}:meeting/*]`,
    'Meetings are created at run time with generated ids; scoped to this account’s meetings, called only in the Chime control region.',
  );
}

/** One-time schedules in this stack's group, and passing the scheduler role to Scheduler only. */
function grantSchedules(stack: Stack, role: Role, { prefix, messaging }: FunctionsProps): void {
  role.addToPolicy(
    new PolicyStatement({
      sid: 'OneTimeSchedules',
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${prefix}/*` })],
    }),
  );
  // A schedule names the role Scheduler assumes: passing it, to Scheduler only.
  role.addToPolicy(
    new PolicyStatement({
      sid: 'PassSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [messaging.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
  const { partition, region, account } = nagArnParts(stack);
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::arn:${partition}:scheduler:${region}:${account}:schedule/${prefix}/*]`,
    'One-time schedules (visit reminders, no-show checks) are named at run time; scoped to this stack’s schedule group.',
  );
}

/** The wildcard findings CDK's own grants produce on a function's role, each with its reason. */
function acknowledgeFunctionFindings(
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
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(refs.table)}.Arn>/index/*]`,
      'Queries use the table’s global secondary indexes (gsi1–gsi3, shared/table/schema.ts); scoped to this table.',
    );
  }
}
