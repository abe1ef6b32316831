import type { Deps } from '#shared/platform/deps.ts';
import { asFunction } from '#shared/table/table-access.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';

/**
 * Consumers of domain events, by event type. On AWS an EventBridge rule sends these types to
 * the consumer Lambda (functions/events/domain-event.ts), which calls `consume`; locally the
 * in-process bus calls the same functions. Capabilities export theirs as a list of `on(type,
 * consumer)`; `shared/app/event-registry.ts` lists the capabilities.
 */
export type Consumer = (deps: Deps, event: DomainEvent) => Promise<void>;

export interface Consumption {
  readonly type: string;
  readonly consumer: Consumer;
}

export type Consumers = Readonly<Record<string, readonly Consumer[]>>;

export function on(type: string, consumer: Consumer): Consumption {
  return { type, consumer };
}

/** The consumers of each type, in the order listed. */
export function consumersByType(list: readonly Consumption[]): Consumers {
  const byType: Record<string, Consumer[]> = {};
  for (const { type, consumer } of list) byType[type] = [...(byType[type] ?? []), consumer];
  return byType;
}

export async function dispatch(consumers: Consumers, deps: Deps, event: DomainEvent): Promise<void> {
  // On AWS every consumer runs in the consumer function: its table grant, checked locally by the guard.
  await asFunction('DomainEventConsumer', async () => {
    for (const consumer of consumers[event.type] ?? []) await consumer(deps, event);
  });
}
