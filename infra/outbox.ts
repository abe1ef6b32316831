import { Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The way out of the transactional outbox: the table's stream → the stream function
 * (functions/events/table-stream.ts) → the event bus (outbox items) or derived state (stored
 * device events).
 *
 * - Order: one shard carries one partition's records in commit order, and with a
 *   parallelization factor of 1 a shard is handled by one invocation at a time, so the events of
 *   one aggregate (one outbox partition) reach the bus in the order they committed.
 * - Retries: a failing batch is retried (the function reports the first record it did not
 *   handle, so nothing before it runs twice and nothing after it is skipped), split in halves
 *   (bisect on error) to isolate a poison record, for up to 24 hours (the stream's retention);
 *   what still fails goes to the dead-letter queue with its shard and sequence numbers, for an
 *   operator to inspect and replay.
 * - Only INSERTs of the entities the function handles reach it (a filter), and MODIFYs of the
 *   few it guards (raw device events: a batch may replace a stored copy, the function puts the
 *   first one back), so the stream's other traffic (every write of the table) costs no invocation.
 */
export interface OutboxRelayProps {
  readonly table: TableV2;
  readonly fn: IFunction;
  /** The entities whose INSERTs the function handles (shared/app/stream-registry.ts). */
  readonly entities: readonly string[];
  /** The entities whose MODIFYs the function handles (shared/app/stream-registry.ts). */
  readonly modifiedEntities?: readonly string[];
  readonly queueName: string;
  readonly encryptionKey: IKey;
}

export class OutboxRelay extends Construct {
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      queueName: props.queueName,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    props.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        parallelizationFactor: 1,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 100,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: FilterRule.or(...props.entities) } } },
          }),
          ...(props.modifiedEntities?.length
            ? [
                FilterCriteria.filter({
                  eventName: FilterRule.isEqual('MODIFY'),
                  dynamodb: { NewImage: { entity: { S: FilterRule.or(...props.modifiedEntities) } } },
                }),
              ]
            : []),
        ],
      }),
    );
  }
}
