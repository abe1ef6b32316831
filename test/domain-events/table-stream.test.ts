import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleStreamRecords } from '#shared/app/stream-registry.ts';
import { outboxItem } from '#shared/domain-events/outbox.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { EventBridgeBus } from '#shared/platform/eventbridge-bus.ts';
import { domainEvent } from '#shared/platform/event-bus.ts';

/**
 * The AWS side of the outbox: stream records (as the event source mapping hands them to the
 * table-stream function) put on EventBridge, on a mocked EventBridge client.
 */
const eventBridge = mockClient(EventBridgeClient);
const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-north-1' }), 'e-team-test', 'e-team.test');
const deps = { events: bus } as unknown as Deps;

const record = (n: number, type = 'VisitBooked') => ({
  sequenceNumber: String(100 + n),
  eventName: 'INSERT' as const,
  newImage: outboxItem(domainEvent(type, { visitId: `vis_${n}`, n }, new Date('2026-11-23T08:00:00Z'))),
});

beforeEach(() => eventBridge.reset());

describe('the table-stream function on AWS', () => {
  it('puts the outbox events of a batch on the bus in stream order, with their event ids, and skips what is not an outbox INSERT', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const result = await handleStreamRecords(deps, [
      record(1),
      { sequenceNumber: '102', eventName: 'MODIFY', newImage: { entity: 'Visit' } },
      record(3, 'VisitChanged'),
    ]);
    expect(result).toEqual({});
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => [e.DetailType, JSON.parse(e.Detail ?? '{}').n])).toEqual([
      ['VisitBooked', 1],
      ['VisitChanged', 3],
    ]);
    expect(
      entries.every(
        (e) =>
          e.EventBusName === 'e-team-test' &&
          e.Source === 'e-team.test' &&
          String(JSON.parse(e.Detail ?? '{}').eventId).startsWith('evt_'),
      ),
    ).toBe(true);
  });

  it('reports the first record it could not deliver when EventBridge refuses an entry, so the mapping retries from there', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const result = await handleStreamRecords(deps, [record(1), record(2)]);
    expect(result.failedAt).toBe('101');
  });
});
