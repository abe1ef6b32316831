/**
 * Imports every capability's consumer registrations and event types, so `consumers` and
 * `eventCatalog` are complete. Add a line here when a capability consumes or publishes an event.
 */
import '#shared/alerts/events.ts';
import '#shared/conversion/events.ts';
import '#shared/dispensers/consumers.ts';
import '#shared/visits/events.ts';
import '#shared/visits/consumers.ts';
export { consumers, consume } from './consumers.ts';
export { eventCatalog, jsonSchemaOf } from './catalog.ts';
