import '#shared/platform/bundle-source-maps.ts';
import '#shared/platform/luxon-defaults.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { handleStreamRecords } from '#shared/app/stream-registry.ts';
import type { StreamRecord } from '#shared/domain-events/stream.ts';
import { createAwsDeps } from '#shared/app/aws-deps.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { logger } from '#shared/platform/logger.ts';

/**
 * Target of the table's stream (infra/outbox.ts): outbox items go to the event bus, stored device
 * events become derived state. Records are handled in order; on a failure the batch reports the
 * first record not handled, so the event source mapping retries from there (and bisects, and
 * finally sends what never succeeds to the DLQ) without skipping or reordering anything.
 */
const deps = createAwsDeps(loadConfig());

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const records: StreamRecord[] = event.Records.map((r) => ({
    sequenceNumber: r.dynamodb?.SequenceNumber ?? '',
    eventName: (r.eventName ?? 'MODIFY') as StreamRecord['eventName'],
    newImage: r.dynamodb?.NewImage ? (unmarshall(r.dynamodb.NewImage as never) as Record<string, unknown>) : undefined,
    oldImage: r.dynamodb?.OldImage ? (unmarshall(r.dynamodb.OldImage as never) as Record<string, unknown>) : undefined,
  }));
  const { failedAt } = await handleStreamRecords(deps, records);
  logger.info('table stream batch', { records: records.length, ...(failedAt ? { failedAt } : {}) });
  return { batchItemFailures: failedAt ? [{ itemIdentifier: failedAt }] : [] };
}).use(injectLambdaContext(logger));
