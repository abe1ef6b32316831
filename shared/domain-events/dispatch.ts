import type { Deps } from '#shared/platform/deps.ts';
import { asFunction } from '#shared/table/table-access.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';

/**
 * Consumers of domain events, by event type. On AWS an EventBridge rule sends these types to
 * the consumer Lambda (functions/events/domain-event.ts), which calls `consume`; locally the
 * in-process bus calls the same functions. Capabilities register theirs in ./all.ts.
 */
export type Consumer = (deps: Deps, event: DomainEvent) => Promise<void>;

export const consumers: Record<string, Consumer[]> = {};

export function registerConsumer(type: string, consumer: Consumer): void {
  consumers[type] = [...(consumers[type] ?? []), consumer];
}

export async function consume(deps: Deps, event: DomainEvent): Promise<void> {
  // On AWS every consumer runs in the consumer function: its table grant, checked locally by the guard.
  await asFunction('DomainEventConsumer', async () => {
    for (const consumer of consumers[event.type] ?? []) await consumer(deps, event);
  });
}
