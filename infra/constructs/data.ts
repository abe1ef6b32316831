import { ArnFormat, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { globalIndexes, STREAM_VIEW_TYPE, TTL_ATTRIBUTE } from '#shared/table/schema.ts';
import { AppSecret } from '../app-secret.ts';
import { TableBackup } from '../backup.ts';

/**
 * The stack's data: its KMS keys, the single table, the app secret (and the pepper of record it
 * copies) and the table's backups.
 *
 * Like every part under infra/constructs/, these resources are added to the stack's own scope, not
 * to a construct of their own: a resource's construct path is its logical id, and CDK derives
 * further ids from it (the stream's event source mapping is named after the table's path). A
 * nesting level would rename them, which replaces the table and the user pool and fails on every
 * physical name (functions, queues, the bus) already taken. `test/infra/stack.test.ts` pins them.
 */
export interface StackKeys {
  /** Citizens' health data: the table, its backups, the pepper, the functions' environment. */
  readonly data: Key;
  /** Queues, the bus and its archive, the alarm topic (AWS services may use it for this account). */
  readonly messaging: Key;
  /** Every log group (functions, API access logs). */
  readonly logs: Key;
}

export interface Data {
  readonly keys: StackKeys;
  readonly table: TableV2;
  readonly appSecret: AppSecret;
}

export function addData(stack: Stack, prefix: string): Data {
  const keys = addKeys(stack, prefix);
  const table = addTable(stack, keys.data);
  // The pepper of record of the national-id index, generated once by Secrets Manager. No function
  // reads it: its value is copied into the app secret at deploy time (infra/app-secret.ts).
  const pepper = new Secret(stack, 'NationalIdPepper', {
    secretName: `${prefix}/national-id-pepper`,
    description:
      'The pepper of record of the national-id index; functions read it from the app secret. Rotate only with a re-key (infra/README.md).',
    encryptionKey: keys.data,
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const appSecret = new AppSecret(stack, 'AppSecret', { prefix, legacyPepper: pepper });
  new TableBackup(stack, 'TableBackup', { prefix, table, key: keys.data });
  return { keys, table, appSecret };
}

/**
 * The data key protects citizens' health data (table, pepper, function environments); the
 * messaging key protects queues and the alarm topic, so granting AWS services (EventBridge,
 * CloudWatch) use of the latter never touches the former.
 */
function addKeys(stack: Stack, prefix: string): StackKeys {
  const key = (id: string, description: string) =>
    new Key(stack, id, {
      description: `${prefix}: ${description}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  const data = key('DataKey', 'citizen data (table, national-id pepper, Lambda environment)');
  const messaging = key('MessagingKey', 'dead-letter queues and alarm notifications');
  // EventBridge writes failed deliveries to the encrypted dead-letter queue; CloudWatch publishes
  // alarms to the encrypted topic. Only on behalf of this account (no confused deputy).
  for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
    messaging.grant(
      new ServicePrincipal(service).withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
      'kms:Decrypt',
      'kms:GenerateDataKey',
    );
  }
  const logs = key('LogsKey', 'CloudWatch log groups (functions, API access logs)');
  // CloudWatch Logs encrypts with it, for this account's log groups only.
  logs.grant(
    new ServicePrincipal(`logs.${stack.region}.amazonaws.com`).withConditions({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
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
  return { data, messaging, logs };
}

function addTable(stack: Stack, dataKey: Key): TableV2 {
  return new TableV2(stack, 'Table', {
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
}
