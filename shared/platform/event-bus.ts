import { logger } from './logger.ts';
import { newId } from './ids.ts';

/**
 * Domain events leave the service through this interface: EventBridge on AWS, an in-process
 * bus locally. Only the table's stream publishes (shared/domain-events/stream.ts): domain code writes
 * its events to the outbox in the transaction of the change (shared/domain-events/outbox.ts), so an
 * event is published exactly when its change committed, at least once.
 */
export interface DomainEvent<T = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly detail: T;
}

export function domainEvent<T extends Record<string, unknown>>(
  type: string,
  detail: T,
  at: Date = new Date(),
): DomainEvent<T> {
  return { id: newId('evt', at), type, occurredAt: at.toISOString(), detail };
}

export interface EventBus {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export type EventSubscriber = (event: DomainEvent) => Promise<void>;

/**
 * LOCAL ONLY: the in-process bus of `npm start` and the tests: keeps what was published and calls
 * subscribers. A subscriber that fails makes `publish` fail after every subscriber was called,
 * so the stream poller delivers the batch again, as EventBridge retries a failed target.
 */
export class LocalEventBus implements EventBus {
  readonly published: DomainEvent[] = [];
  private readonly subscribers = new Map<string, EventSubscriber[]>();

  subscribe(type: string, subscriber: EventSubscriber): void {
    this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), subscriber]);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('LocalEventBus: delivery failed (injected)');
    }
    const fresh = events.filter((e) => !this.seen.has(e.id));
    for (const e of fresh) this.seen.add(e.id);
    this.published.push(...fresh);
    const failures: unknown[] = [];
    for (const event of events) {
      for (const subscriber of this.subscribers.get(event.type) ?? []) {
        try {
          await subscriber(event);
        } catch (error) {
          logger.error('local event subscriber failed', { type: event.type, error: error as Error });
          failures.push(error);
        }
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} event consumer(s) failed`);
  }

  private readonly seen = new Set<string>();
  /** Fault injection for tests: the next `n` deliveries fail before reaching any subscriber. */
  private failNext = 0;
  failNextDeliveries(n: number): void {
    this.failNext = n;
  }

  ofType(type: string): DomainEvent[] {
    return this.published.filter((e) => e.type === type);
  }
}
