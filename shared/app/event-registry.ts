/**
 * Imports every capability's consumer registrations and event types, so `consumers` and
 * `eventCatalog` are complete. Add a line here when a capability consumes or publishes an event.
 */
import '#shared/alerts/event-types.ts';
import '#shared/conversion/event-types.ts';
import '#shared/dispensers/consumers.ts';
import '#shared/visits/event-types.ts';
import '#shared/visits/consumers.ts';
export { consumers, consume } from '#shared/domain-events/dispatch.ts';
export { eventCatalog, jsonSchemaOf } from '#shared/domain-events/catalog.ts';
