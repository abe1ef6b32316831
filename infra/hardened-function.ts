import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A Lambda function with the project's hardened defaults, so a resource added later (a notifier,
 * a stream pipe's target, an edge function's backend) starts where the others are:
 *
 * - its own role (no AWS managed policy) and its own log group, encrypted with the logs key and
 *   kept for a year;
 * - Node 22 on arm64, active tracing, the environment encrypted with a customer key;
 * - reserved concurrency: a cap for what the caller can flood, a floor for what must run;
 * - asynchronous functions get their dead-letter queue, retries and a maximum event age; a
 *   synchronous one must say who sees its failures (`invocation: { kind: 'sync', failuresSeenBy }`);
 * - the cdk-nag acknowledgements every such function needs, each with its reason, written once
 *   here on this function's own constructs.
 *
 * Everything else (table, bus, secrets, schedules) is granted by whoever creates it, on `role`.
 * The constructs are `<id>`, `<id>Role` and `<id>Logs` directly in `scope` (no wrapper), so the
 * functions that existed before this helper keep their logical ids (their log groups have fixed
 * names and are retained: a new logical id would collide with the old group).
 */
export interface HardenedFunctionProps {
  readonly functionName: string;
  readonly description: string;
  readonly roleDescription: string;
  readonly code: Code;
  readonly handler?: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  /** Encrypts the environment (which holds no secret value: secrets are read at run time). */
  readonly environmentKey: IKey;
  /** Encrypts the log group (see `LogsKey` in infra/constructs/data.ts for the key policy this needs). */
  readonly logsKey: IKey;
  /** Concurrent executions reserved for this function: its ceiling and its guaranteed share. */
  readonly reservedConcurrency: number;
  /**
   * `sync`: invoked by API Gateway (or another synchronous caller) that receives the error; no
   * dead-letter queue can ever hold anything. `async`: Lambda retries, then the queue.
   */
  readonly invocation:
    | { readonly kind: 'sync'; readonly failuresSeenBy: string }
    | {
        readonly kind: 'async';
        readonly deadLetterQueue: IQueue;
        readonly retryAttempts?: number;
        readonly maxEventAge?: Duration;
      };
  readonly logRetention?: RetentionDays;
}

/** Local development and Lambda stay on one Node major (infra/bundling.ts, LAMBDA_NODE_MAJOR). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

function acknowledge(scope: Construct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

export interface HardenedFunction {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
}

export function hardenedFunction(scope: Construct, id: string, props: HardenedFunctionProps): HardenedFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/lambda/${props.functionName}`,
    retention: props.logRetention ?? RetentionDays.ONE_YEAR,
    encryptionKey: props.logsKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  // Only its own log group: no AWS managed policy with `logs:*` on `*`.
  logGroup.grantWrite(role);
  props.environmentKey.grantDecrypt(role);

  const invocation = props.invocation;
  const fn = new LambdaFunction(scope, id, {
    functionName: props.functionName,
    description: props.description,
    code: props.code,
    handler: props.handler ?? 'index.handler',
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    tracing: Tracing.ACTIVE,
    environment: props.environment,
    environmentEncryption: props.environmentKey,
    reservedConcurrentExecutions: props.reservedConcurrency,
    ...(invocation.kind === 'async'
      ? {
          deadLetterQueue: invocation.deadLetterQueue,
          retryAttempts: invocation.retryAttempts ?? 2,
          maxEventAge: invocation.maxEventAge ?? Duration.hours(6),
        }
      : {}),
  });
  // Lambda writes failed async runs with the function's role, the queue's key included.
  if (invocation.kind === 'async') invocation.deadLetterQueue.grantSendMessages(role);

  acknowledge(
    fn,
    'AwsSolutions-L1',
    'Node 22, the same major as local development (the `node` devDependency pins it); Lambda and local move to 24 together.',
  );
  const outsideVpc =
    'Outside a VPC on purpose: it reaches only AWS public endpoints (DynamoDB, EventBridge, Scheduler, Secrets Manager, X-Ray, Chime in another region) over TLS with SigV4 and serves no network-reachable resource. Only DynamoDB has a gateway endpoint; the rest would need interface endpoints or a NAT gateway, cost without a control that IAM does not already give (infra/README.md).';
  acknowledge(fn, 'HIPAA.Security-LambdaInsideVPC', outsideVpc);
  acknowledge(fn, 'NIST.800.53.R5-LambdaInsideVPC', outsideVpc);
  if (invocation.kind === 'sync') {
    const noDlq = `Invoked synchronously: ${invocation.failuresSeenBy}. A dead-letter queue only receives asynchronous invocations and would stay empty.`;
    acknowledge(fn, 'HIPAA.Security-LambdaDLQ', noDlq);
    acknowledge(fn, 'NIST.800.53.R5-LambdaDLQ', noDlq);
  }
  const inline =
    'This policy belongs to this one function’s role and nothing else: a strict one-to-one policy, created and deleted with the role (AWS’s own case for an inline policy), never shared between functions with different grants.';
  acknowledge(role, 'HIPAA.Security-IAMNoInlinePolicy', inline);
  acknowledge(role, 'NIST.800.53.R5-IAMNoInlinePolicy', inline);
  return { function: fn, role, logGroup };
}
