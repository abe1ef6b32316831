import type { EventBridgeClient} from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { logger } from './logger.ts';
import { newId } from './ids.ts';

/**
 * Domain events leave the service through this interface: EventBridge on AWS, an in-process
 * bus locally. Events are published after the transaction that caused them commits; the jobs
 * that consume them also reconcile from the table (e.g. the daily visit-horizon job), so a
 * lost publish delays work but never leaves data inconsistent.
 */
export interface DomainEvent<T = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly detail: T;
}

export function domainEvent<T extends Record<string, unknown>>(type: string, detail: T, at: Date = new Date()): DomainEvent<T> {
  return { id: newId('evt', at), type, occurredAt: at.toISOString(), detail };
}

export interface EventBus {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

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
        // The write already committed; an alarm on this log line is the operator's signal.
        logger.error('domain events not published', { failed: result.FailedEntryCount, types: chunk.map((e) => e.type) });
      }
    }
  }
}

export type EventSubscriber = (event: DomainEvent) => Promise<void>;

/** In-process bus for `npm start` and tests: keeps what was published and calls subscribers. */
export class LocalEventBus implements EventBus {
  readonly published: DomainEvent[] = [];
  private readonly subscribers = new Map<string, EventSubscriber[]>();

  subscribe(type: string, subscriber: EventSubscriber): void {
    this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), subscriber]);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.published.push(...events);
    for (const event of events) {
      for (const subscriber of this.subscribers.get(event.type) ?? []) {
        try {
          await subscriber(event);
        } catch (error) {
          // As on EventBridge, a failing consumer does not fail the producer.
          logger.error('local event subscriber failed', { type: event.type, error: error as Error });
        }
      }
    }
  }

  ofType(type: string): DomainEvent[] {
    return this.published.filter((e) => e.type === type);
  }
}
