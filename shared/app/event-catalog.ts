import { alertEventTypes } from '#shared/alerts/event-types.ts';
import { conversionEventTypes } from '#shared/conversion/event-types.ts';
import { dispenserEventTypes } from '#shared/dispensers/event-types.ts';
import { catalogOf, jsonSchemaIn, type EventCatalog } from '#shared/domain-events/catalog.ts';
import { visitEventTypes } from '#shared/visits/event-types.ts';

/**
 * Every domain event type the service publishes (schemas in schemas/), from the capabilities'
 * lists. Add the list here when a capability publishes an event. Apart from the consumers
 * (./event-registry.ts): the consumer Lambda runs those, and has no use for every type's schema
 * and sample.
 */
export const eventCatalog: EventCatalog = catalogOf(
  alertEventTypes,
  conversionEventTypes,
  dispenserEventTypes,
  visitEventTypes,
);

export function jsonSchemaOf(type: string): Record<string, unknown> {
  return jsonSchemaIn(eventCatalog, type);
}
