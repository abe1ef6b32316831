import { dispenserConsumers } from '#shared/dispensers/consumers.ts';
import { consumersByType, dispatch, type Consumers } from '#shared/domain-events/dispatch.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { visitConsumers } from '#shared/visits/consumers.ts';

/**
 * Every consumer of a domain event, from the capabilities' lists. Add the list here when a
 * capability consumes an event: the stack routes each consumed type to the consumer Lambda,
 * locally the in-process bus does. The types themselves are in ./event-catalog.ts.
 */
export const consumers: Consumers = consumersByType([...dispenserConsumers, ...visitConsumers]);

export function consume(deps: Deps, event: DomainEvent): Promise<void> {
  return dispatch(consumers, deps, event);
}
