import { describe, expect, it } from 'vitest';
import { streamEntities, streamModifiedEntities } from '#shared/app/stream-registry.ts';
import {
  handleStreamRecordsWith,
  insertedEntities,
  modifiedEntities,
  modifiesOf,
  type StreamHandlers,
  type StreamRecord,
} from '#shared/domain-events/stream.ts';
import type { Deps } from '#shared/platform/deps.ts';

/**
 * Which stream records reach which handler: INSERTs by entity; MODIFYs only of the entities that
 * take them (raw device events: a batch may replace a stored copy); REMOVEs (TTL) never.
 */
const deps = {} as Deps;

function recorder() {
  const calls: { handler: string; records: StreamRecord[] }[] = [];
  const handler =
    (name: string) =>
    async (_deps: Deps, _items: readonly Record<string, unknown>[], records: readonly StreamRecord[]) => {
      calls.push({ handler: name, records: [...records] });
    };
  const handlers: StreamHandlers = {
    OutboxEvent: handler('publish'),
    DeviceEvent: handler('derive'),
    [modifiesOf('DeviceEvent')]: handler('guard'),
  };
  return { calls, handlers };
}

let seq = 0;
const record = (eventName: StreamRecord['eventName'], entity: string): StreamRecord => ({
  sequenceNumber: String(++seq),
  eventName,
  newImage: eventName === 'REMOVE' ? undefined : { entity, n: seq },
  oldImage: eventName === 'INSERT' ? undefined : { entity, n: seq - 0.5 },
});

describe('the stream’s records, by entity and kind', () => {
  it('MODIFYs of raw device events go to their guard with both images; other MODIFYs and all REMOVEs go nowhere', async () => {
    const { calls, handlers } = recorder();
    const records = [
      record('INSERT', 'DeviceEvent'),
      record('MODIFY', 'DeviceEvent'),
      record('MODIFY', 'DeviceEvent'),
      record('MODIFY', 'OutboxEvent'),
      record('MODIFY', 'Visit'),
      record('REMOVE', 'DeviceEvent'),
      record('INSERT', 'OutboxEvent'),
      record('INSERT', 'Visit'),
    ];
    expect(await handleStreamRecordsWith(handlers, deps, records)).toEqual({});
    expect(calls.map((c) => [c.handler, c.records.map((r) => r.sequenceNumber)])).toEqual([
      ['derive', [records[0]?.sequenceNumber]],
      ['guard', [records[1]?.sequenceNumber, records[2]?.sequenceNumber]],
      ['publish', [records[6]?.sequenceNumber]],
    ]);
    expect(calls[1]?.records[0]?.oldImage).toEqual(records[1]?.oldImage);
  });

  it('a failing guard stops the batch at its first record, as any handler does', async () => {
    const { handlers } = recorder();
    const failing: StreamHandlers = {
      ...handlers,
      [modifiesOf('DeviceEvent')]: async () => {
        throw new Error('table unavailable');
      },
    };
    const records = [record('INSERT', 'DeviceEvent'), record('MODIFY', 'DeviceEvent')];
    const result = await handleStreamRecordsWith(failing, deps, records);
    expect(result.failedAt).toBe(records[1]?.sequenceNumber);
  });

  it('the registry: INSERTs of outbox and raw device events, MODIFYs of raw device events only (the AWS filters)', () => {
    const { handlers } = recorder();
    expect([insertedEntities(handlers), modifiedEntities(handlers)]).toEqual([
      ['OutboxEvent', 'DeviceEvent'],
      ['DeviceEvent'],
    ]);
    expect([streamEntities(), streamModifiedEntities()]).toEqual([['OutboxEvent', 'DeviceEvent'], ['DeviceEvent']]);
  });
});
