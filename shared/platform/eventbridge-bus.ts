import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DomainEvent, EventBus } from './event-bus.ts';
import { logger } from './logger.ts';

/** Domain events on the EventBridge bus (AWS). Kept out of events.ts so domain code never loads the SDK. */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const chunk = events.slice(i, i + 10);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({
            EventBusName: this.busName,
            Source: this.source,
            DetailType: e.type,
            Time: new Date(e.occurredAt),
            Detail: JSON.stringify({ ...e.detail, eventId: e.id }),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        // Only the table-stream function publishes: failing makes the event source mapping deliver these records again.
        logger.error('domain events not published', {
          failed: result.FailedEntryCount,
          types: chunk.map((e) => e.type),
        });
        throw new Error(`EventBridge refused ${result.FailedEntryCount} of ${chunk.length} events`);
      }
    }
  }
}
