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
