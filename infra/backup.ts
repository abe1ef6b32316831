import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** How long backups of the table are kept (see infra/README.md, "Backups"). */
export const TABLE_BACKUP_RETENTION = { daily: Duration.days(35), monthly: Duration.days(365) } as const;

/**
 * AWS Backup of the one table, beside point-in-time recovery: PITR covers 35 days of mistakes in
 * place; these are copies in a vault of their own (a deleted table, an account-level incident, a
 * restore to a month-end). The vault uses the data key, as the table does. cdk-nag has no rule for
 * `AWS::DynamoDB::GlobalTable`, so test/infra/stack.test.ts asserts this.
 */
export class TableBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly prefix: string; readonly table: TableV2; readonly key: IKey },
  ) {
    super(scope, id);
    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: `${props.prefix}-table`,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new BackupPlan(this, 'Plan', {
      backupPlanName: `${props.prefix}-table`,
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ hour: '2', minute: '0' }),
          deleteAfter: TABLE_BACKUP_RETENTION.daily,
        }),
        new BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: Schedule.cron({ day: '1', hour: '3', minute: '0' }),
          deleteAfter: TABLE_BACKUP_RETENTION.monthly,
        }),
      ],
    });
    const selection = this.plan.addSelection('Table', {
      resources: [BackupResource.fromArn(props.table.tableArn)],
      allowRestores: false,
    });
    // The table and the vault are under the data key: AWS Backup reads and writes with it for this role.
    selection.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UseDataKey',
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );
    selection.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'GrantDataKeyToBackup',
        actions: ['kms:CreateGrant'],
        resources: [props.key.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    const role = selection.node.findChild('Role');
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup’s own service-role policy for taking backups: AWS keeps it current with the services Backup supports; this role is assumed only by backup.amazonaws.com for this plan’s selection (the table).',
    });
    const inline =
      'One-to-one with the backup selection’s role: the data key use that the managed policy cannot name, created and deleted with the role.';
    Validations.of(role).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
    Validations.of(role).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
  }
}
