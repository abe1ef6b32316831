import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Deps } from '#shared/platform/deps.ts';
import { logger } from '#shared/platform/logger.ts';
import { outboxKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import { asFunction, outsideFunctions } from '#shared/table/table-access.ts';
import { entityOf, handleStreamRecordsWith, type StreamHandlers, type StreamRecord } from './stream.ts';

/**
 * LOCAL ONLY: the stand-in for the stack's stream event source mapping. Reads DynamoDB Local's
 * own stream of the table (it implements the DynamoDB Streams API) and hands the records to
 * `handleStreamRecords`, exactly as the AWS stream Lambda does, so the same consumers run.
 *
 * - In order per shard; a failed handler stops the shard there and the next poll retries from
 *   that record (after `maxAttempts` it is logged, kept in `deadLetters` and skipped — the local
 *   DLQ).
 * - How far each shard was read is kept in the table (`STREAMCHECKPOINT`), so an API that is
 *   stopped and started again delivers what committed while it was down, and nothing twice.
 * - `npm start` polls on a timer; tests call `drain()` to deliver everything committed so far.
 */
export interface DeadLetter {
  readonly sequenceNumber: string;
  readonly entity: string;
  readonly error: string;
}

interface ShardState {
  iterator?: string | undefined;
  /** The last sequence number handled (or skipped as irrelevant). */
  last?: string | undefined;
  /** Persisted position, to avoid a write when nothing moved. */
  saved?: string | undefined;
  done: boolean;
}

export class LocalStreamPoller {
  readonly deadLetters: DeadLetter[] = [];
  private readonly client: DynamoDBStreamsClient;
  private streamArn: string | undefined;
  private readonly shards = new Map<string, ShardState>();
  private loaded = false;
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly deps: Deps,
    endpoint: string,
    private readonly handlers: StreamHandlers,
    private readonly options: { maxAttempts?: number } = {},
  ) {
    this.client = new DynamoDBStreamsClient({
      region: deps.config.AWS_REGION,
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /**
   * Delivers every record committed so far (and whatever those deliveries commit in turn).
   * Resolves with how many were handled; a handler failure ends the drain (the records stay
   * and the next drain retries them) and is reported in `failed`.
   */
  drain(): Promise<{ handled: number; failed: boolean }> {
    const run = this.running.then(async () => {
      let handled = 0;
      for (let round = 0; round < 50; round++) {
        const pass = await this.pollOnce();
        handled += pass.handled;
        if (pass.failed) return { handled, failed: true };
        if (pass.records === 0) return { handled, failed: false };
      }
      return { handled, failed: false };
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  startTimer(intervalMs = 200): void {
    this.stopTimer();
    const tick = () => {
      this.drain()
        .catch((error: unknown) => logger.error('local stream poll failed', { error: error as Error }))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pollOnce(): Promise<{ records: number; handled: number; failed: boolean }> {
    return outsideFunctions(() => this.pollShards());
  }

  /** Counts a failed record's attempts; past the limit it becomes a local dead letter and is skipped. True while it should be retried. */
  private noteFailure(record: StreamRecord, error: unknown, state: ShardState): boolean {
    const attempts = (this.attempts.get(record.sequenceNumber) ?? 0) + 1;
    this.attempts.set(record.sequenceNumber, attempts);
    if (attempts < (this.options.maxAttempts ?? 10)) return true;
    this.deadLetters.push({
      sequenceNumber: record.sequenceNumber,
      entity: String(record.newImage?.entity),
      error: String((error as Error)?.message ?? error),
    });
    logger.error('stream record given up after repeated failures (local dead letter)', {
      sequenceNumber: record.sequenceNumber,
    });
    state.last = record.sequenceNumber;
    return false;
  }

  private async pollShards(): Promise<{ records: number; handled: number; failed: boolean }> {
    await this.load();
    let records = 0;
    let handled = 0;
    let failed = false;
    for (const shard of await this.listShards()) {
      const id = shard.ShardId;
      if (!id) continue;
      const state = this.shards.get(id) ?? { done: false };
      this.shards.set(id, state);
      if (state.done) continue;
      state.iterator ??= await this.iteratorFor(id, state.last);
      if (!state.iterator) {
        state.done = true;
        continue;
      }
      let page;
      try {
        page = await this.client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
      } catch (error) {
        if ((error as Error).name === 'ExpiredIteratorException') {
          state.iterator = undefined;
          continue;
        }
        throw error;
      }
      const batch = (page.Records ?? []).map(toStreamRecord);
      // Only records some handler takes count: the checkpoint's own writes are in the stream too.
      const delivering = batch.filter((r) => entityOf(this.handlers, r)).length;
      records += delivering;
      if (batch.length > 0) {
        // As on AWS: the stream's records are handled by the table-stream function, within its partitions.
        const result = await asFunction('TableStream', () => handleStreamRecordsWith(this.handlers, this.deps, batch));
        const stopAt =
          result.failedAt === undefined ? -1 : batch.findIndex((r) => r.sequenceNumber === result.failedAt);
        const upTo = stopAt === -1 ? batch.length : stopAt;
        handled += batch.slice(0, upTo).filter((r) => entityOf(this.handlers, r)).length;
        const lastHandled = batch[upTo - 1];
        if (lastHandled) state.last = lastHandled.sequenceNumber;
        const failedRecord = batch[stopAt];
        if (failedRecord) {
          failed = this.noteFailure(failedRecord, result.error, state);
          // Read again from after the last record handled.
          state.iterator = undefined;
          await this.save(id, state);
          if (failed) break;
          continue;
        }
      }
      state.iterator = page.NextShardIterator;
      if (!state.iterator) state.done = true;
      if (handled > 0) await this.save(id, state);
    }
    return { records, handled, failed };
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const { Table } = await this.deps.table.db.send(new DescribeTableCommand({ TableName: this.deps.table.name }));
    this.streamArn = Table?.LatestStreamArn;
    if (!this.streamArn) throw new Error(`Table ${this.deps.table.name} has no stream`);
    const saved = await queryAll(this.deps.table, {
      partition: ['pk', outboxKeys.streamCheckpointPartition],
      consistent: true,
    });
    for (const item of saved) {
      if (item.streamArn !== this.streamArn) continue;
      this.shards.set(String(item.sk), {
        last: String(item.sequenceNumber),
        saved: String(item.sequenceNumber),
        done: false,
      });
    }
    this.loaded = true;
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  private async iteratorFor(shardId: string, after: string | undefined): Promise<string | undefined> {
    const result = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return result.ShardIterator;
  }

  private async save(shardId: string, state: ShardState): Promise<void> {
    if (!state.last || state.last === state.saved) return;
    try {
      await this.deps.table.db.send(
        new PutCommand({
          TableName: this.deps.table.name,
          Item: {
            ...outboxKeys.streamCheckpoint(shardId),
            entity: 'StreamCheckpoint',
            streamArn: this.streamArn,
            sequenceNumber: state.last,
          },
        }),
      );
      state.saved = state.last;
    } catch (error) {
      // This process goes on from where it is; the next save records it. Only a restart in between redelivers (consumers are idempotent).
      logger.warn('stream checkpoint not saved', { shardId, error: error as Error });
    }
  }
}

const imageOf = (image: unknown): Record<string, unknown> | undefined =>
  image ? (unmarshall(image as never) as Record<string, unknown>) : undefined;

function toStreamRecord(record: _Record): StreamRecord {
  return {
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    eventName: (record.eventName ?? 'MODIFY') as StreamRecord['eventName'],
    newImage: imageOf(record.dynamodb?.NewImage),
    oldImage: imageOf(record.dynamodb?.OldImage),
  };
}
