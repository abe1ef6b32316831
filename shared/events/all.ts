/**
 * Imports every capability's consumer registrations and event types, so `consumers` and
 * `eventCatalog` are complete. Add a line here when a capability consumes or publishes an event.
 */
import '../alerts/events.ts';
import '../conversion/events.ts';
import '../dispensers/consumers.ts';
import '../visits/events.ts';
import '../visits/consumers.ts';
export { consumers, consume } from './consumers.ts';
export { eventCatalog, jsonSchemaOf } from './catalog.ts';
