import { alertEventTypes } from '#shared/alerts/event-types.ts';
import { conversionEventTypes } from '#shared/conversion/event-types.ts';
import { dispenserConsumers } from '#shared/dispensers/consumers.ts';
import { dispenserEventTypes } from '#shared/dispensers/event-types.ts';
import { catalogOf, jsonSchemaIn, type EventCatalog } from '#shared/domain-events/catalog.ts';
import { consumersByType, dispatch, type Consumers } from '#shared/domain-events/dispatch.ts';
import type { Deps } from '#shared/platform/deps.ts';
import type { DomainEvent } from '#shared/platform/event-bus.ts';
import { visitConsumers } from '#shared/visits/consumers.ts';
import { visitEventTypes } from '#shared/visits/event-types.ts';

/**
 * Every domain event type the service publishes (schemas in schemas/) and every consumer, from
 * the capabilities' lists. Add the list here when a capability publishes or consumes an event:
 * the stack routes each consumed type to the consumer Lambda, locally the in-process bus does.
 */
export const eventCatalog: EventCatalog = catalogOf(
  alertEventTypes,
  conversionEventTypes,
  dispenserEventTypes,
  visitEventTypes,
);

/** Consumers of one type run in this order. */
export const consumers: Consumers = consumersByType([...dispenserConsumers, ...visitConsumers]);

export function consume(deps: Deps, event: DomainEvent): Promise<void> {
  return dispatch(consumers, deps, event);
}

export function jsonSchemaOf(type: string): Record<string, unknown> {
  return jsonSchemaIn(eventCatalog, type);
}
